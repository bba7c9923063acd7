import Synchronization
@testable import Quant
import Testing

@Suite struct ComputePoolTests {
    @Test(arguments: [1, 2, 3, 5])
    func coversEveryIndexOnce(threads: Int) {
        let pool = ComputePool(threads: threads)
        #expect(pool.threads == threads)
        for count in [0, 1, 2, 7, 1000] {
            // Parts never overlap, so each slot has one writer; a second write would show as 2.
            var hits = [Int](repeating: 0, count: count)
            let calls = Atomic<Int>(0)
            hits.withUnsafeMutableBufferPointer { buffer in
                let shared = UnsafeSendable(buffer)
                pool.parallelFor(count) { range in
                    calls.add(1, ordering: .relaxed)
                    for i in range { shared.value[i] += 1 }
                }
            }
            #expect(hits.allSatisfy { $0 == 1 }, "count \(count)")
            #expect(calls.load(ordering: .relaxed) <= max(1, min(count, threads)))
        }
    }

    @Test func partsAreContiguousAndInOrder() {
        let pool = ComputePool(threads: 3)
        let seen = Mutex<[Range<Int>]>([])
        pool.parallelFor(10) { range in seen.withLock { $0.append(range) } }
        let parts = seen.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
        #expect(parts == [0..<3, 3..<6, 6..<10])
    }

    /// Many back-to-back loops (as a decode step runs) and loops after the workers fell asleep.
    @Test func manyLoopsAndWakeUps() async throws {
        let pool = ComputePool(threads: 2)
        let total = Atomic<Int>(0)
        for _ in 0..<2000 { pool.parallelFor(2) { total.add($0.count, ordering: .relaxed) } }
        #expect(total.load(ordering: .relaxed) == 4000)
        try await Task.sleep(for: .milliseconds(30))  // longer than the spin: workers now sleep
        pool.parallelFor(2) { total.add($0.count, ordering: .relaxed) }
        #expect(total.load(ordering: .relaxed) == 4002)
    }

    /// Callers on different threads take turns instead of mixing their loops.
    @Test func concurrentCallers() async {
        let pool = ComputePool(threads: 2)
        await withTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let sum = Atomic<Int>(0)
                    for _ in 0..<200 { pool.parallelFor(100) { sum.add($0.reduce(0, +), ordering: .relaxed) } }
                    return sum.load(ordering: .relaxed)
                }
            }
            for await sum in group { #expect(sum == 200 * 4950) }
        }
    }
}

/// Lets a test hand a buffer of atomics to the pool's threads.
struct UnsafeSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
