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
}
