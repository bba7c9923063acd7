import Testing
@testable import Retrieval

@Suite struct RankFusionTests {
    @Test func itemsInBothListsRiseAndTiesKeepFirstAppearance() {
        let fused = RankFusion.reciprocalRank([[1, 2, 3], [3, 4, 1]])
        #expect(fused.map(\.id) == [1, 3, 2, 4])
        #expect(abs(fused[0].score - (1.0 / 61 + 1.0 / 63)) < 1e-12)
    }

    @Test func emptyListsGiveNothing() {
        #expect(RankFusion.reciprocalRank([[], []]).isEmpty)
    }
}

@Suite struct ConvexFusionTests {
    @Test func combinesNormalisedBM25WithCosine() {
        let fused = RankFusion.convex(lexical: [(1, 10), (2, 5)], dense: [1: 0.2, 2: 0.9, 3: 0.95], alpha: 0.4)
        // 1: 0.4 × 1 + 0.6 × 0.2 = 0.52; 2: 0.4 × 0.5 + 0.6 × 0.9 = 0.74; 3: 0.6 × 0.95 = 0.57.
        #expect(fused.map(\.id) == [2, 3, 1])
        #expect(abs(fused[0].score - 0.74) < 1e-12)
    }

    @Test func withoutLexicalHitsItIsTheDenseOrder() {
        let fused = RankFusion.convex(lexical: [], dense: [1: 0.3, 2: 0.8], alpha: 0.4)
        #expect(fused.map(\.id) == [2, 1])
    }

    @Test func alphaOneIsTheLexicalOrder() {
        let fused = RankFusion.convex(lexical: [(5, 3), (6, 2)], dense: [5: 0.1, 6: 0.9], alpha: 1)
        #expect(fused.map(\.id) == [5, 6])
    }
}
