import Testing
@testable import Retrieval

@Suite struct RankFusionTests {
    @Test func itemsInBothListsRiseAndTiesKeepFirstAppearance() {
        let fused = RankFusion.reciprocalRank([[1, 2, 3], [3, 4, 1]])
        #expect(fused.map(\.id) == [1, 3, 2, 4])
        #expect(abs(fused[0].score - (1.0 / 61 + 1.0 / 63)) < 1e-12)
    }

    @Test func weightsScaleAList() {
        let fused = RankFusion.reciprocalRank([[1], [2]], weights: [1, 2])
        #expect(fused.map(\.id) == [2, 1])
    }

    @Test func emptyListsGiveNothing() {
        #expect(RankFusion.reciprocalRank([[], []]).isEmpty)
    }
}
