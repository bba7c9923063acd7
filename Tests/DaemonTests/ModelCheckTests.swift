import Foundation
import Testing
@testable import Daemon

@Suite struct ModelCheckTests {
    /// A models directory with one listed file, one listed file whose bytes changed, and one unlisted.
    func makeDirectory() throws -> String {
        let directory = "/tmp/sotto-models-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/enc", withIntermediateDirectories: true)
        try Data("weights".utf8).write(to: URL(fileURLWithPath: directory + "/good.gguf"))
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: directory + "/bad.gguf"))
        try Data("mine".utf8).write(to: URL(fileURLWithPath: directory + "/mine.gguf"))
        try Data("tensors".utf8).write(to: URL(fileURLWithPath: directory + "/enc/model.safetensors"))
        // sha256("weights"), sha256("original"), sha256("tensors")
        let manifest = """
            {"version": 1, "files": {
              "good.gguf": {"sha256": "\(ModelCheckTests.hex("weights"))"},
              "bad.gguf": {"sha256": "\(ModelCheckTests.hex("original"))"},
              "enc/model.safetensors": {"sha256": "\(ModelCheckTests.hex("tensors"))"}
            }}
            """
        try manifest.write(toFile: directory + "/manifest.json", atomically: true, encoding: .utf8)
        return directory
    }

    static func hex(_ text: String) -> String {
        let check = ModelCheck(modelsDirectory: "/nonexistent", allowsUnlisted: false)
        let file = "/tmp/sotto-hash-\(UUID().uuidString.prefix(8))"
        _ = FileManager.default.createFile(atPath: file, contents: Data(text.utf8))
        defer { try? FileManager.default.removeItem(atPath: file) }
        return (try? check.sha256(of: file)) ?? ""
    }

    @Test func knownDigest() throws {
        #expect(Self.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func listedFilesAreCheckedAndUnlistedOnesRefusedUnlessAllowed() throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let strict = ModelCheck(modelsDirectory: directory, allowsUnlisted: false)
        #expect(strict.verify(file: directory + "/good.gguf") == nil)
        let mismatch = try #require(strict.verify(file: directory + "/bad.gguf"))
        #expect(mismatch.message.contains("sha256") && mismatch.message.contains("fetch-models"))
        let unlisted = try #require(strict.verify(file: directory + "/mine.gguf"))
        #expect(unlisted.message.contains("allow_unlisted_models"))
        #expect(strict.verify(encoderDirectory: directory + "/enc") == nil)
        let lenient = ModelCheck(modelsDirectory: directory, allowsUnlisted: true)
        #expect(lenient.verify(file: directory + "/mine.gguf") == nil)
        #expect(lenient.verify(file: directory + "/bad.gguf") != nil, "a listed file is checked even when unlisted ones are allowed")
    }

    @Test func theCacheNoticesAChangedFile() throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let check = ModelCheck(modelsDirectory: directory, allowsUnlisted: false)
        #expect(check.verify(file: directory + "/good.gguf") == nil)
        #expect(FileManager.default.fileExists(atPath: directory + "/" + ModelCheck.cacheName))
        // Same size, new bytes: the modification time (and here the inode) changes.
        try FileManager.default.removeItem(atPath: directory + "/good.gguf")
        try Data("wEights".utf8).write(to: URL(fileURLWithPath: directory + "/good.gguf"))
        #expect(check.verify(file: directory + "/good.gguf") != nil)
    }
}
