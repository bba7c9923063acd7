import Testing
@testable import Ingest

struct TextDecodingTests {
    func decode(_ bytes: [UInt8]) -> (text: String, encoding: TextEncoding) {
        bytes.withUnsafeBytes { TextDecoding.decode($0) }
    }

    @Test func loneSurrogatesAndAnOddByteBecomeReplacementCharacters() {
        // BOM, lone high surrogate D800, "A", lone low surrogate DC00, odd trailing byte.
        let decoded = decode([0xFF, 0xFE, 0x00, 0xD8, 0x41, 0x00, 0x00, 0xDC, 0x42])
        #expect(decoded.encoding == .utf16LE)
        #expect(decoded.text == "\u{FFFD}A\u{FFFD}\u{FFFD}")
    }

    @Test func invalidUTF8AfterAByteOrderMarkIsLatin1OfTheWholeFile() {
        let decoded = decode([0xEF, 0xBB, 0xBF, 0xFF])
        #expect(decoded.encoding == .latin1)
        #expect(decoded.text.unicodeScalars.map(\.value) == [0xEF, 0xBB, 0xBF, 0xFF])
    }

    @Test func carriageReturnsAreKept() {
        #expect(decode(Array("a\r\nb".utf8)).text == "a\r\nb")
    }
}
