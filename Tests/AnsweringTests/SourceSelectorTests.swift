import Storage
import Testing
@testable import Answering

@Suite struct SourceSelectorTests {
    func hit(_ id: Int64, document: Int64, ordinal: Int, words: Int, score: Double) -> StoredHit {
        let text = Array(repeating: "word", count: words).joined(separator: " ")
        return StoredHit(
            chunkId: id, documentId: document, path: "/d/\(document).md", ordinal: ordinal, text: text, section: nil,
            byteStart: ordinal * 100, byteEnd: ordinal * 100 + 90, lineStart: ordinal * 10 + 1, lineEnd: ordinal * 10 + 8,
            page: nil, score: score, snippet: "", highlights: [])
    }
    let count: (String) -> Int = { $0.split(separator: " ").count }

    @Test func takesTheBestChunksThatFitTheBudget() {
        let hits = [hit(1, document: 1, ordinal: 0, words: 50, score: 3), hit(2, document: 2, ordinal: 0, words: 500, score: 2),
                    hit(3, document: 3, ordinal: 0, words: 40, score: 1)]
        let selector = SourceSelector(maximumChunks: 5, tokenBudget: 150)
        let sources = selector.select(hits, countTokens: count)
        // The 500-word chunk does not fit; the shorter one after it does.
        #expect(sources.map(\.chunkIds) == [[1], [3]])
        #expect(sources.map(\.number) == [1, 2])
    }

    @Test func stopsAtTheMaximumNumberOfChunks() {
        let hits = (1...8).map { hit(Int64($0), document: Int64($0), ordinal: 0, words: 5, score: Double(10 - $0)) }
        #expect(SourceSelector(maximumChunks: 3, tokenBudget: 10_000).select(hits, countTokens: count).count == 3)
    }

    @Test func mergesAdjacentChunksOfOneDocumentRankedByTheBestOfThem() {
        let hits = [hit(10, document: 7, ordinal: 4, words: 5, score: 9), hit(20, document: 8, ordinal: 0, words: 5, score: 8),
                    hit(11, document: 7, ordinal: 3, words: 5, score: 7), hit(12, document: 7, ordinal: 9, words: 5, score: 6)]
        let sources = SourceSelector(maximumChunks: 5, tokenBudget: 10_000).select(hits, countTokens: count)
        #expect(sources.count == 3)
        let merged = sources[0]
        #expect(merged.number == 1)
        #expect(merged.chunkIds == [11, 10])
        #expect(merged.byteStart == 300 && merged.byteEnd == 490)
        #expect(merged.lineStart == 31 && merged.lineEnd == 48)
        #expect(merged.score == 9)
        #expect(merged.text.contains("\n\n"))
        #expect(sources[1].chunkIds == [20])
        #expect(sources[2].chunkIds == [12])
    }

    @Test func suppliedPassagesAreNumberedInOrderWithRangesInTheirOwnText() {
        let sources = SourceSelector.supplied([SuppliedPassage(title: "Super Bowl 50", text: "line one\nline two"),
                                               SuppliedPassage(title: "Other", text: "é")])
        #expect(sources.map(\.number) == [1, 2])
        #expect(sources[0].path == "Super Bowl 50")
        #expect(sources[0].documentId == nil)
        #expect(sources[0].lineEnd == 2)
        #expect(sources[1].byteEnd == 2)
    }

    @Test func adjacentChunksOnDifferentPagesOrPartsStaySeparateSources() {
        func located(_ id: Int64, ordinal: Int, page: Int?, part: String? = nil) -> StoredHit {
            var located = hit(id, document: 1, ordinal: ordinal, words: 5, score: Double(10 - id))
            located.page = page
            located.part = part
            located.format = "pdf"
            return located
        }
        let hits = [located(1, ordinal: 0, page: 1), located(2, ordinal: 1, page: 2), located(3, ordinal: 2, page: 2),
                    located(4, ordinal: 3, page: 2, part: "\"Lease renewal\" › lease.pdf")]
        let sources = SourceSelector(maximumChunks: 10, tokenBudget: 10_000).select(hits, countTokens: count)
        // Pages 1 and 2 apart; the two chunks of page 2 together; the attachment's page 2 apart.
        #expect(sources.map(\.chunkIds) == [[1], [2, 3], [4]])
        #expect(sources.map(\.page) == [1, 2, 2])
        #expect(sources.allSatisfy { $0.pageEnd == nil })
        #expect(sources.map(\.part) == [nil, nil, "\"Lease renewal\" › lease.pdf"])
    }
}
