import Testing
@testable import Storage

@Suite struct SnippetMarkupTests {
    @Test func stripsMarkersAndReportsScalarRanges() {
        let marked = "a \u{E000}bé\u{E001} 🐕 \u{E000}dog\u{E001}"
        let (text, highlights) = SnippetMarkup.strip(marked)
        #expect(text == "a bé 🐕 dog")
        #expect(highlights == [2..<4, 7..<10])
    }

    @Test func textWithoutMarkersIsUnchanged() {
        let (text, highlights) = SnippetMarkup.strip("plain text")
        #expect(text == "plain text")
        #expect(highlights.isEmpty)
    }

    @Test func unpairedAndEmptyMarkersAreDropped() {
        let (text, highlights) = SnippetMarkup.strip("\u{E001}x\u{E000}\u{E001} y \u{E000}z")
        #expect(text == "x y z")
        #expect(highlights.isEmpty)
    }
}
