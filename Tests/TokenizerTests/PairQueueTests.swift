import Testing
@testable import Tokenizer

struct PairQueueTests {
    static func pair(rank: Int32, left: Int32) -> PairQueue.Pair {
        PairQueue.Pair(rank: rank, left: left, right: left + 1, leftSymbol: 0, rightSymbol: 0, result: 0)
    }

    @Test func popsByRankThenLeftmost() {
        var queue = PairQueue()
        let input: [(Int32, Int32)] = [(5, 0), (1, 7), (3, 2), (1, 3), (0, 9), (3, 1), (5, 4)]
        for (rank, left) in input {
            queue.insert(Self.pair(rank: rank, left: left))
        }
        var popped: [String] = []
        while let pair = queue.popMin() {
            popped.append("\(pair.rank):\(pair.left)")
        }
        #expect(popped == ["0:9", "1:3", "1:7", "3:1", "3:2", "5:0", "5:4"])
        #expect(queue.isEmpty)
    }

    @Test func agreesWithSortingOnRandomInput() {
        var state: UInt64 = 42
        var queue = PairQueue()
        var expected: [UInt64] = []
        for _ in 0..<500 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let pair = Self.pair(rank: Int32(state >> 59), left: Int32(state >> 40 & 0xFFF))
            queue.insert(pair)
            expected.append(pair.order)
        }
        var popped: [UInt64] = []
        while let pair = queue.popMin() {
            popped.append(pair.order)
        }
        #expect(popped == expected.sorted())
    }
}
