import CKernels
import Foundation
import Synchronization

/// A fixed set of worker threads (created once), for data-parallel loops with a barrier.
///
/// The decoder calls `parallelFor` ~170 times per token, so dispatch must cost microseconds: idle
/// workers spin on a generation counter for a short while before sleeping on a condition, and the
/// caller runs the first part itself, then spins until the others are done. `parallelFor` is not
/// reentrant (a body must not call it on the same pool); concurrent callers take turns.
public final class ComputePool: @unchecked Sendable {
    /// How many threads run a loop, counting the caller.
    public let threads: Int
    private let shared: PoolState
    private let turn = Mutex<Void>(())

    /// A pool that runs loops on `threads` threads: the caller plus `threads - 1` workers
    /// (at least one thread in all).
    public init(threads: Int) {
        let count = max(1, threads)
        self.threads = count
        shared = PoolState(threads: count)
        for index in 1..<count {
            let state = shared
            let thread = Thread { state.workerLoop(index: index) }
            thread.name = "sotto-compute-\(index)"
            thread.start()
        }
    }

    deinit {
        shared.stop()
    }

    /// Splits 0..<count into `threads` contiguous parts, runs `body` on each non-empty part (the
    /// first on the calling thread), and returns when all are done.
    public func parallelFor(_ count: Int, _ body: @Sendable (Range<Int>) -> Void) {
        guard count > 0 else { return }
        guard threads > 1, count > 1 else {
            body(0..<count)
            return
        }
        turn.withLock { _ in
            withoutActuallyEscaping(body) { escapable in
                shared.run(count: count, body: escapable)
            }
        }
    }
}

/// The state workers share with the pool (workers hold it, not the pool, so the pool can deinit).
private final class PoolState: @unchecked Sendable {
    let threads: Int
    /// Bumped to start a loop; workers compare it with the last one they ran.
    let generation = Atomic<Int>(0)
    /// Workers still running the current loop.
    let pending = Atomic<Int>(0)
    let stopping = Atomic<Bool>(false)
    /// Workers asleep on `wake` (or about to be): a starting loop must broadcast when non-zero.
    let sleepers = Atomic<Int>(0)
    let wake = NSCondition()
    // Written by the caller before the generation bump (release) and read by workers after seeing
    // it (acquire); cleared only after every worker has finished with it.
    nonisolated(unsafe) var body: ((Range<Int>) -> Void)?
    nonisolated(unsafe) var count = 0

    /// PAUSE iterations a worker spins before sleeping: roughly 0.2–1 ms, longer than the gaps
    /// between matrix products in a decode step, short enough not to hog a shared core when idle.
    static let spinLimit = 8_000

    init(threads: Int) { self.threads = threads }

    static func part(_ index: Int, of count: Int, parts: Int) -> Range<Int> {
        (count * index / parts)..<(count * (index + 1) / parts)
    }

    func run(count: Int, body: @escaping (Range<Int>) -> Void) {
        self.body = body
        self.count = count
        pending.store(threads - 1, ordering: .relaxed)
        generation.add(1, ordering: .sequentiallyConsistent)
        if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
            wake.lock()
            wake.broadcast()
            wake.unlock()
        }
        let mine = Self.part(0, of: count, parts: threads)
        if !mine.isEmpty { body(mine) }
        var spins = 0
        while pending.load(ordering: .acquiring) > 0 {
            // A worker that is not running (the machine is oversubscribed) will not finish while we
            // spin: after a while, give the core away instead.
            if spins < Self.spinLimit {
                sotto_quant_spin_pause()
                spins += 1
            } else {
                sched_yield()
            }
        }
        self.body = nil
    }

    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        generation.add(1, ordering: .sequentiallyConsistent)
        wake.lock()
        wake.broadcast()
        wake.unlock()
    }

    func workerLoop(index: Int) {
        var seen = 0
        while true {
            var current = generation.load(ordering: .acquiring)
            var spins = 0
            while current == seen {
                if spins < Self.spinLimit {
                    sotto_quant_spin_pause()
                    spins += 1
                } else {
                    wake.lock()
                    sleepers.add(1, ordering: .sequentiallyConsistent)
                    while generation.load(ordering: .sequentiallyConsistent) == seen { wake.wait() }
                    sleepers.subtract(1, ordering: .sequentiallyConsistent)
                    wake.unlock()
                }
                current = generation.load(ordering: .acquiring)
            }
            seen = current
            if stopping.load(ordering: .acquiring) { return }
            let range = Self.part(index, of: count, parts: threads)
            if !range.isEmpty, let body { body(range) }
            pending.subtract(1, ordering: .releasing)
        }
    }
}
