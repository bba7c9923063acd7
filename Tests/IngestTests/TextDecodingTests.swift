import Testing
@testable import Ingest

struct TextDecodingTests {
    func decode(_ bytes: [UInt8]) -> TextDecoding.Decoded {
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

    @Test func aFewBadBytesInUTF8AreReplacedNotTheWholeFileMisread() {
        // "Kraków, Łódź, Gdańsk" with one stray 0xFF in the middle.
        var bytes = Array("Kraków, Łódź ".utf8)
        let badOffset = bytes.count
        bytes.append(0xFF)
        bytes += Array(" Gdańsk".utf8)
        let decoded = decode(bytes)
        #expect(decoded.encoding == .utf8)
        #expect(decoded.text == "Kraków, Łódź \u{FFFD} Gdańsk")
        #expect(decoded.replacements == [ExtractedText.Replacement(textOffset: badOffset, fileLength: 1)])
    }

    @Test func latin1StaysLatin1() {
        // "Café crème" in Latin-1: every accented byte is invalid UTF-8, none valid.
        let decoded = decode([0x43, 0x61, 0x66, 0xE9, 0x20, 0x63, 0x72, 0xE8, 0x6D, 0x65])
        #expect(decoded.encoding == .latin1)
        #expect(decoded.text == "Café crème")
    }

    @Test func asciiWithOneBadByteIsLatin1() {
        // No valid multi-byte character to outweigh the bad byte: Latin-1 misreads nothing else here.
        let decoded = decode(Array("abc".utf8) + [0xE9] + Array("def".utf8))
        #expect(decoded.encoding == .latin1)
        #expect(decoded.text == "abcédef")
    }

    @Test func mostlyValidUTF8AfterAByteOrderMarkKeepsTheMark() {
        let decoded = decode([0xEF, 0xBB, 0xBF] + Array("żółw ".utf8) + [0xC3] + Array(" x".utf8))
        #expect(decoded.encoding == .utf8BOM)
        #expect(decoded.text == "żółw \u{FFFD} x")
    }
}
