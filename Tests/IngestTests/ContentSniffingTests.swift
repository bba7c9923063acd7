import Testing
@testable import Ingest

struct ContentSniffingTests {
    func verdict(_ bytes: [UInt8], trustName: Bool = false) -> ContentSniffing.Verdict {
        bytes.withUnsafeBytes { ContentSniffing.verdict($0, trustName: trustName) }
    }

    @Test func nulOnlyCountsInTheFirst8KB() {
        #expect(verdict([UInt8](repeating: 0x61, count: 9000) + [0]) == .text)
        #expect(verdict([UInt8](repeating: 0x61, count: 100) + [0]) == .binary("contains NUL bytes"))
        #expect(verdict([0xFF, 0xFE, 0x61, 0x00]) == .text)
    }

    @Test func aTextExtensionOverridesControlCharacters() {
        let bytes = [UInt8](repeating: 0x07, count: 50) + Array("words".utf8)
        #expect(verdict(bytes) == .binary("contains control characters"))
        #expect(verdict(bytes, trustName: true) == .text)
    }

    @Test func latin1TextIsTextButHighBytesNoiseIsNot() {
        #expect(verdict(Array("na".utf8) + [0xEF] + Array("ve caf".utf8) + [0xE9]) == .text)
        #expect(verdict([UInt8](repeating: 0xB5, count: 100)) == .binary("mostly bytes that are neither ASCII nor UTF-8"))
        #expect(verdict(Array(String(repeating: "\u{4E2D}\u{6587}", count: 50).utf8)) == .text)
    }

    @Test func utf32IsUnsupported() {
        #expect(verdict([0xFF, 0xFE, 0x00, 0x00, 0x61, 0, 0, 0]) == .unsupported("UTF-32 text"))
    }

    @Test func guessesKindFromContent() {
        #expect(ContentSniffing.kind("intro\n## Usage\n") == .markdown)
        #expect(ContentSniffing.kind("#!/usr/bin/env python\n") == .code)
        #expect(ContentSniffing.kind("<?xml version=\"1.0\"?>") == .code)
        #expect(ContentSniffing.kind("#hashtag\n####### seven\n") == .plainText)
    }
}
