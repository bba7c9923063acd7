import Testing
@testable import Ingest

struct ExtractedTextTests {
    func document(_ text: String, _ encoding: TextEncoding, byteCount: Int) -> ExtractedText {
        ExtractedText(text: text, encoding: encoding, kind: .plainText, contentHash: "", byteCount: byteCount)
    }

    @Test func utf8OffsetsAreUnchangedAndClamped() {
        let doc = document("abc", .utf8, byteCount: 3)
        #expect(doc.fileOffsets(forUTF8Offsets: [0, 2, 3, 9]) == [0, 2, 3, 3])
    }

    @Test func offsetInsideACharacterMapsToItsStart() {
        // "é" is two bytes in UTF-8 and one in Latin-1.
        let doc = document("\u{e9}x", .latin1, byteCount: 2)
        #expect(doc.fileOffsets(forUTF8Offsets: [0, 1, 2, 3]) == [0, 0, 1, 2])
    }

    @Test func utf16OddTrailingByteMapsTheEndToTheFileSize() {
        // BOM (2) + "A" (2) + odd byte (1) decodes to "A\u{FFFD}".
        let doc = document("A\u{FFFD}", .utf16BE, byteCount: 5)
        #expect(doc.fileOffsets(forUTF8Offsets: [0, 1, 4]) == [2, 4, 5])
    }

    @Test func replacedBytesMapBackToThemselves() {
        // File: "ab" 0xFF 0xFE "cd" → text "ab\u{FFFD}\u{FFFD}cd" (each invalid byte its own U+FFFD).
        var doc = document("ab\u{FFFD}\u{FFFD}cd", .utf8, byteCount: 6)
        doc.replacements = [.init(textOffset: 2, fileLength: 1), .init(textOffset: 5, fileLength: 1)]
        // Text offsets: a0 b1 FFFD2-4 FFFD5-7 c8 d9 end10.
        #expect(doc.fileOffsets(forUTF8Offsets: [0, 2, 3, 5, 8, 9, 10]) == [0, 2, 2, 3, 4, 5, 6])
    }

    @Test func aReplacedSequenceOfSeveralBytesMapsAsAWhole() {
        // "x" then a truncated 3-byte sequence E2 82 (2 bytes, one U+FFFD), then "y"; after a BOM.
        var doc = document("x\u{FFFD}y", .utf8BOM, byteCount: 3 + 4)
        doc.replacements = [.init(textOffset: 1, fileLength: 2)]
        #expect(doc.fileOffsets(forUTF8Offsets: [0, 1, 4, 5]) == [3, 4, 6, 7])
    }
}
