import Testing
@testable import Storage

@Suite struct LexicalPruningTests {
    @Test func maximumIsNeverBelowTheBudget() {
        #expect(LexicalPruning(postingBudget: 500, maximumPostings: 10).maximumPostings == 500)
        #expect(LexicalPruning.off.minimumRows == .max)
    }

    @Test func exactCountsHoldOnlyForTheSameRowCount() {
        let statistics = LexicalStatistics()
        statistics.remember("paris", documentFrequency: 7, rows: 1000, estimated: false)
        #expect(statistics.documentFrequency(of: "paris", rows: 1000) == 7)
        #expect(statistics.documentFrequency(of: "paris", rows: 1001) == nil)
    }

    @Test func estimatesHoldWhileTheIndexChangesByUnderOnePercent() {
        let statistics = LexicalStatistics()
        statistics.remember("the", documentFrequency: 60_000, rows: 100_000, estimated: true)
        #expect(statistics.documentFrequency(of: "the", rows: 100_900) == 60_000)
        #expect(statistics.documentFrequency(of: "the", rows: 102_000) == nil)
        #expect(statistics.documentFrequency(of: "other", rows: 100_000) == nil)
    }
}
