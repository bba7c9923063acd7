import Testing
@testable import Ingest

struct ParagraphSplitterTests {
    /// One token per word, so sizes are easy to reason about.
    func split(_ text: String, target: Int, overlap: Int) -> [String] {
        let bytes = Array(text.utf8)
        let counter = WordPieceEstimate()
        return bytes.withUnsafeBufferPointer { utf8 in
            let splitter = ParagraphSplitter(target: target, overlap: overlap) { start, end in
                counter.tokenCount(Substring(String(decoding: bytes[start..<end], as: UTF8.self)))
            }
            return splitter.split(utf8, start: 0, end: bytes.count).map {
                String(decoding: bytes[$0.start..<$0.end], as: UTF8.self)
            }
        }
    }

    @Test func prefersSentenceEndsWithinTheWindow() {
        let pieces = split("a b c. d e f g h i j", target: 6, overlap: 0)
        #expect(pieces == ["a b c.", "d e f g h i", "j"])
    }

    @Test func prefersLineBreaksOverPlainSpaces() {
        let pieces = split("a b c d\ne f g h", target: 6, overlap: 0)
        #expect(pieces == ["a b c d", "e f g h"])
    }

    @Test func overlapRepeatsTheTailOfThePreviousPiece() {
        let pieces = split("a b c d e f g h i j", target: 4, overlap: 2)
        #expect(pieces == ["a b c d", "c d e f", "e f g h", "g h i j"])
    }

    @Test func giantWordIsCutIntoBoundedPieces() {
        let word = String(repeating: "x", count: 300)
        let pieces = split(word, target: 10, overlap: 4)
        #expect(pieces.count > 1)
        #expect(pieces.allSatisfy { WordPieceEstimate().tokenCount($0[...]) <= 10 })
        #expect(pieces.first.map { word.hasPrefix($0) } == true)
        #expect(pieces.last.map { word.hasSuffix($0) } == true)
    }

    @Test func cjkSentenceEndsAreBoundaries() {
        let pieces = split("\u{4E00}\u{4E01}\u{3002}\u{4E02}\u{4E03}\u{4E04}\u{4E05}", target: 4, overlap: 0)
        #expect(pieces == ["\u{4E00}\u{4E01}\u{3002}", "\u{4E02}\u{4E03}\u{4E04}\u{4E05}"])
    }
}
