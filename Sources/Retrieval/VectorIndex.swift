import Dispatch
import Synchronization

/// The active encoder's vectors in memory, for dense search: one contiguous row-major Int8 matrix
/// (each row an L2-normalised vector scaled to ±127, with its scale kept beside it). A query is scored
/// against every row; the best candidates are then rescored exactly by the caller from the stored
/// Float32 vectors. Int8 keeps a million 384-dimensional vectors in 384 MB, a quarter of the memory
/// traffic of Float32, which is what bounds a full scan.
public final class VectorIndex: Sendable {
    /// The rows, quantised; built row by row (e.g. while reading the store) and handed over whole.
    public struct Rows: Sendable {
        public let dimension: Int
        var codes: [Int8] = []
        var scales: [Float] = []
        var ids: [Int64] = []
        var rowOfId: [Int64: Int] = [:]

        public init(dimension: Int) { self.dimension = max(1, dimension) }

        public var count: Int { ids.count }

        /// Appends a row; a vector of the wrong length is ignored.
        public mutating func append(id: Int64, vector: UnsafeBufferPointer<Float>) {
            guard vector.count == dimension, rowOfId[id] == nil else { return }
            let (codes, scale) = VectorIndex.quantize(vector)
            rowOfId[id] = ids.count
            ids.append(id)
            self.codes.append(contentsOf: codes)
            scales.append(scale)
        }
    }

    private typealias State = Rows

    private let state: Mutex<State>
    private let threads: Int

    public init(dimension: Int, threads: Int = 2) {
        state = Mutex(State(dimension: max(1, dimension)))
        self.threads = max(1, threads)
    }

    public var count: Int { state.withLock { $0.ids.count } }
    public var dimension: Int { state.withLock { $0.dimension } }
    /// Bytes held for vectors, scales and ids.
    public var memoryBytes: Int {
        state.withLock { $0.codes.capacity + $0.scales.capacity * 4 + $0.ids.capacity * 8 + $0.rowOfId.capacity * 24 }
    }

    /// Replaces everything with rows built elsewhere.
    public func replace(with rows: Rows) {
        state.withLock { $0 = rows }
    }

    /// Adds or replaces rows.
    public func upsert(_ vectors: [(id: Int64, vector: [Float])]) {
        state.withLock { state in
            for (id, vector) in vectors where vector.count == state.dimension {
                vector.withUnsafeBufferPointer { buffer in
                    if let row = state.rowOfId[id] {
                        let (codes, scale) = Self.quantize(buffer)
                        state.codes.replaceSubrange((row * state.dimension)..<((row + 1) * state.dimension), with: codes)
                        state.scales[row] = scale
                    } else {
                        state.append(id: id, vector: buffer)
                    }
                }
            }
        }
    }

    /// Removes rows (unknown ids are ignored): the last row moves into each hole.
    public func remove(_ ids: [Int64]) {
        state.withLock { state in
            let d = state.dimension
            for id in ids {
                guard let row = state.rowOfId.removeValue(forKey: id) else { continue }
                let last = state.ids.count - 1
                if row != last {
                    let lastId = state.ids[last]
                    state.ids[row] = lastId
                    state.scales[row] = state.scales[last]
                    for j in 0..<d { state.codes[row * d + j] = state.codes[last * d + j] }
                    state.rowOfId[lastId] = row
                }
                state.ids.removeLast()
                state.scales.removeLast()
                state.codes.removeLast(d)
            }
        }
    }

    /// The `k` rows most similar to `query` by (approximate) dot product, best first; ties go to the
    /// row stored first, so the answer does not depend on how the scan is split.
    public func nearest(_ query: [Float], k: Int) -> [(id: Int64, score: Float)] {
        state.withLock { state in
            let d = state.dimension
            let n = state.ids.count
            guard query.count == d, n > 0, k > 0 else { return [] }
            let (queryCodes, queryScale) = query.withUnsafeBufferPointer { Self.quantize($0) }
            // By far most of the time is this scan: n × d Int8 multiply-adds (384 MB read at a million
            // rows), split over the threads once it is big enough to pay for waking them. The threads
            // take slices of `sliceRows` in turn rather than one fixed share each: when another task
            // holds a core (BM25 during hybrid search), the free thread scans more slices instead of
            // the whole scan waiting for the thread that shares a core.
            let workers = n >= Self.parallelRows ? threads : 1
            let slices = (n + Self.sliceRows - 1) / Self.sliceRows
            let nextSlice = Atomic<Int>(0)
            let partials = Mutex([[(Int, Int32)]](repeating: [], count: workers))
            state.codes.withUnsafeBufferPointer { codes in
                queryCodes.withUnsafeBufferPointer { q in
                    guard let codesBase = codes.baseAddress, let queryBase = q.baseAddress else { return }
                    // The buffers outlive concurrentPerform, which returns only when every part is done.
                    let matrix = ReadOnlyPointer(base: codesBase), query = ReadOnlyPointer(base: queryBase)
                    DispatchQueue.concurrentPerform(iterations: workers) { worker in
                        var best = TopK(k: k)
                        while true {
                            let slice = nextSlice.wrappingAdd(1, ordering: .relaxed).oldValue
                            guard slice < slices else { break }
                            let rows = (slice * Self.sliceRows)..<min(n, (slice + 1) * Self.sliceRows)
                            Self.scan(matrix.base, rows: rows, dimension: d, query: query.base, into: &best)
                        }
                        partials.withLock { $0[worker] = best.items }
                    }
                }
            }
            var merged = TopK(k: k)
            for part in partials.withLock({ $0 }) {
                for (row, raw) in part { merged.insert(row, raw) }
            }
            // Selected by raw score, as scanned; ordered by the rescaled one (ties: row stored first).
            return merged.items.map { row, raw in
                (row: row, score: Float(raw) * state.scales[row] * queryScale)
            }
            .sorted { $0.score > $1.score || ($0.score == $1.score && $0.row < $1.row) }
            .map { (id: state.ids[$0.row], score: $0.score) }
        }
    }

    /// Rows from which a scan is split over the threads.
    static let parallelRows = 50_000
    /// Rows a thread takes at a time (about 2 ms of scanning): small enough to even out a busy core.
    static let sliceRows = 65_536
    /// Rows scored per kernel call: their scores (16 KB) stay in L1 for the selection that follows.
    static let blockRows = 4096

    /// Offers every row in `rows` to `best`, scored a block at a time.
    static func scan(
        _ matrix: UnsafePointer<Int8>, rows: Range<Int>, dimension d: Int, query: UnsafePointer<Int8>, into best: inout TopK
    ) {
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: blockRows) { scores in
            guard let out = scores.baseAddress else { return }
            var start = rows.lowerBound
            while start < rows.upperBound {
                let count = min(blockRows, rows.upperBound - start)
                Self.dotRows(matrix + start * d, count: count, dimension: d, query: query, into: out)
                for i in 0..<count { best.insert(start + i, out[i]) }
                start += count
            }
        }
    }

    // MARK: - Quantisation

    /// Symmetric per-row quantisation: x ≈ code × scale with code in −127...127.
    static func quantize(_ vector: UnsafeBufferPointer<Float>) -> (codes: [Int8], scale: Float) {
        let maximum = vector.reduce(Float(0)) { max($0, abs($1)) }
        guard maximum > 0, maximum.isFinite else { return ([Int8](repeating: 0, count: vector.count), 0) }
        let scale = maximum / 127
        return (vector.map { Int8(clamping: Int(($0 / scale).rounded())) }, scale)
    }

}

/// A pointer shared with the worker threads of one scan, which only read through it.
private struct ReadOnlyPointer: @unchecked Sendable {
    let base: UnsafePointer<Int8>
}

/// The k best (row, score) pairs seen, kept in a small min-heap: higher scores are better, and of
/// equal scores the lower row, so the k kept are the same whatever order the pairs come in.
struct TopK {
    let k: Int
    private(set) var heap: [(Int, Int32)] = []

    init(k: Int) {
        self.k = k
        heap.reserveCapacity(k)
    }

    var items: [(Int, Int32)] { heap }

    @inline(__always)
    static func isWorse(_ a: (Int, Int32), _ b: (Int, Int32)) -> Bool {
        a.1 < b.1 || (a.1 == b.1 && a.0 > b.0)
    }

    @inline(__always)
    mutating func insert(_ row: Int, _ score: Int32) {
        if heap.count < k {
            heap.append((row, score))
            siftUp(heap.count - 1)
        } else if score >= heap[0].1, Self.isWorse(heap[0], (row, score)) {
            heap[0] = (row, score)
            siftDown(0)
        }
    }

    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.isWorse(heap[child], heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, Self.isWorse(heap[left], heap[smallest]) { smallest = left }
            if right < heap.count, Self.isWorse(heap[right], heap[smallest]) { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
