import Dispatch
import Foundation

/// The encoder, one workspace per worker, and a lock: one batch at a time, its sequences split
/// between `workers` threads.
///
/// Each worker runs the whole forward pass over its share of the sequences with single-threaded
/// OpenBLAS. Compared with one pass whose `sgemm`s OpenBLAS spreads over the cores, this also runs
/// the element-wise kernels and the small per-head attention products in parallel, and no BLAS
/// thread spins waiting for the next `sgemm` while the other core runs a kernel.
final class ParallelEncoder: @unchecked Sendable {
    // @unchecked: the workspaces are mutable; a batch holds `lock` and gives each worker its own.
    private let lock = NSLock()
    private let encoder: BertEncoder
    private let workspaces: [EncoderWorkspace]

    init(_ encoder: BertEncoder, workers: Int) {
        self.encoder = encoder
        workspaces = (0..<max(1, workers)).map { _ in
            EncoderWorkspace(hiddenSize: encoder.configuration.hiddenSize, intermediateSize: encoder.configuration.intermediateSize)
        }
    }

    func encode(_ batch: [[Int32]]) throws -> [[Float]] {
        lock.lock()
        defer { lock.unlock() }
        let parts = Self.partition(lengths: batch.map(\.count), parts: workspaces.count, hiddenSize: encoder.configuration.hiddenSize)
        if parts.count <= 1 {
            return try encoder.encode(batch, workspace: workspaces[0])
        }
        let results = ResultSlots(count: parts.count)
        DispatchQueue.concurrentPerform(iterations: parts.count) { part in
            results.set(part, Result { try encoder.encode(Array(batch[parts[part]]), workspace: workspaces[part]) })
        }
        return try results.values.flatMap { try $0.get() }
    }

    /// Splits sequences `0..<lengths.count` into at most `parts` contiguous, non-empty ranges of
    /// about equal cost. A sequence of n tokens costs about n·(3·hidden + n): the projections and
    /// the FFN grow with n, attention with n².
    static func partition(lengths: [Int], parts: Int, hiddenSize: Int) -> [Range<Int>] {
        guard !lengths.isEmpty else { return [] }
        let costs = lengths.map { Double($0) * Double(3 * hiddenSize + $0) }
        let total = costs.reduce(0, +)
        let count = min(max(1, parts), lengths.count)
        var ranges: [Range<Int>] = []
        var start = 0, spent = 0.0
        for part in 0..<count {
            let remainingParts = count - part
            if remainingParts == 1 {
                ranges.append(start..<lengths.count)
                break
            }
            let target = total * Double(part + 1) / Double(count)
            var end = start + 1
            spent += costs[start]
            // Leave at least one sequence for each later part.
            while end < lengths.count - (remainingParts - 1), spent + costs[end] / 2 <= target {
                spent += costs[end]
                end += 1
            }
            ranges.append(start..<end)
            start = end
        }
        return ranges
    }
}

/// One slot per worker for its result; each worker writes only its own slot.
private final class ResultSlots: @unchecked Sendable {
    // @unchecked: slots are written by distinct threads at distinct indices, and read only after
    // concurrentPerform has returned.
    private(set) var values: [Result<[[Float]], any Error>]

    init(count: Int) {
        values = Array(repeating: .success([]), count: count)
    }

    func set(_ index: Int, _ value: Result<[[Float]], any Error>) {
        values.withUnsafeMutableBufferPointer { $0[index] = value }
    }
}
