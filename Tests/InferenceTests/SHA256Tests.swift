import Foundation
import Testing
@testable import Inference

@Suite struct SHA256Tests {
    private func digest(_ text: String) -> String {
        Array(text.utf8).withUnsafeBytes { SHA256.hexDigest($0) }
    }

    @Test func knownVectors() {
        #expect(digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func fileDigestMatchesAcrossChunkBoundaries() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("data")
        let bytes = (0..<((1 << 20) + 77)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(bytes).write(to: url)
        let whole = bytes.withUnsafeBytes { SHA256.hexDigest($0) }
        #expect(try SHA256.hexDigest(ofFileAt: url) == whole)
        var pieces = SHA256()
        bytes.withUnsafeBytes { all in
            for start in stride(from: 0, to: all.count, by: 1000) {
                pieces.update(UnsafeRawBufferPointer(rebasing: all[start..<min(start + 1000, all.count)]))
            }
        }
        #expect(pieces.finalize().map { String(format: "%02x", $0) }.joined() == whole)
    }
}
