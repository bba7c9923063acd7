import Foundation
import Testing
@testable import Inference

@Suite struct ParallelEncoderTests {
    @Test(arguments: [1, 2, 3, 5])
    func partitionCoversEverySequenceOnceInOrder(parts: Int) {
        let lengths = [256, 240, 200, 130, 128, 90, 40, 12, 3]
        let ranges = ParallelEncoder.partition(lengths: lengths, parts: parts, hiddenSize: 384)
        #expect(ranges.count == min(parts, lengths.count))
        #expect(ranges.first?.lowerBound == 0)
        #expect(ranges.last?.upperBound == lengths.count)
        #expect(ranges.allSatisfy { !$0.isEmpty })
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
    }

    @Test func partitionBalancesCost() {
        let lengths = Array(repeating: 100, count: 31) + [50]
        let ranges = ParallelEncoder.partition(lengths: lengths, parts: 2, hiddenSize: 384)
        #expect(ranges.map(\.count) == [16, 16])
        #expect(ParallelEncoder.partition(lengths: [7], parts: 2, hiddenSize: 384) == [0..<1])
        #expect(ParallelEncoder.partition(lengths: [], parts: 2, hiddenSize: 384).isEmpty)
    }

    @Test func workersGiveTheSameVectorsAsOne() throws {
        let reference = try Fixtures.tinyReference()
        let one = try Embedder(modelDirectory: Fixtures.tinyBERT, threads: 1, arithmetic: .float)
        let three = try Embedder(modelDirectory: Fixtures.tinyBERT, threads: 3, arithmetic: .float)
        let single = try one.embed(tokenIDs: reference.sequences, batchSize: 32)
        let split = try three.embed(tokenIDs: reference.sequences, batchSize: 32)
        #expect(single.count == reference.sequences.count)
        for (a, b) in zip(single, split) { #expect(maxAbsoluteDifference(a, b) < 1e-6) }
        for (vector, expected) in zip(split, reference.mean) { #expect(maxAbsoluteDifference(vector, expected) < 1e-5) }
    }

    @Test func badSequenceInOneWorkerFailsTheBatch() throws {
        let three = try Embedder(modelDirectory: Fixtures.tinyBERT, threads: 3, arithmetic: .float)
        #expect(throws: InferenceError.self) {
            try three.embed(tokenIDs: [[2, 5, 3], [2, 6, 3], [2, -1, 3]], batchSize: 32)
        }
    }
}
