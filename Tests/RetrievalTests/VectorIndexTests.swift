import Testing
@testable import Retrieval

@Suite struct VectorIndexTests {
    /// Deterministic pseudo-random unit vectors.
    static func vectors(_ count: Int, dimension: Int, seed: UInt64) -> [[Float]] {
        var state = seed
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2000 - 1000) / 1000
        }
        return (0..<count).map { _ in
            let v = (0..<dimension).map { _ in next() }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return v.map { $0 / norm }
        }
    }

    @Test func quantisationIsCloseToTheFloats() {
        let v = Self.vectors(1, dimension: 384, seed: 1)[0]
        let (codes, scale) = v.withUnsafeBufferPointer { VectorIndex.quantize($0) }
        for (x, c) in zip(v, codes) { #expect(abs(Float(c) * scale - x) <= scale / 2 + 1e-6) }
        #expect([Float](repeating: 0, count: 3).withUnsafeBufferPointer { VectorIndex.quantize($0) }.scale == 0)
    }

    @Test func nearestAgreesWithExactSearch() {
        let rows = Self.vectors(20_000, dimension: 64, seed: 7)
        let index = VectorIndex(dimension: 64, threads: 2)
        index.replaceAll(ids: (0..<Int64(rows.count)).map { $0 + 1000 }, values: rows.flatMap { $0 }, dimension: 64)
        #expect(index.count == 20_000)
        var agreement = 0
        for query in Self.vectors(20, dimension: 64, seed: 99) {
            let exact = rows.enumerated().map { ($0.offset, zip($0.element, query).reduce(Float(0)) { $0 + $1.0 * $1.1 }) }
                .max { $0.1 < $1.1 }!
            let found = index.nearest(query, k: 10)
            #expect(found.count == 10)
            #expect(zip(found, found.dropFirst()).allSatisfy { $0.score >= $1.score })
            if found.contains(where: { $0.id == Int64(exact.0) + 1000 }) { agreement += 1 }
        }
        // Int8 scores are approximate; the exact best is among the top 10 candidates.
        #expect(agreement == 20)
    }

    @Test func upsertAndRemoveKeepRowsConsistent() {
        let rows = Self.vectors(5, dimension: 8, seed: 3)
        let index = VectorIndex(dimension: 8)
        index.upsert(rows.enumerated().map { (Int64($0.offset), $0.element) })
        #expect(index.count == 5)
        index.remove([1, 3, 42])
        #expect(index.count == 3)
        for (id, row) in [(0, rows[0]), (2, rows[2]), (4, rows[4])] {
            #expect(index.nearest(row, k: 1).first?.id == Int64(id))
        }
        index.upsert([(2, rows[1])])  // replace a row's vector
        #expect(index.count == 3)
        #expect(index.nearest(rows[1], k: 1).first?.id == 2)
        index.upsert([(9, [1, 2, 3])])  // wrong dimension: ignored
        #expect(index.count == 3)
        #expect(index.nearest([1, 2], k: 3).isEmpty)
    }

    @Test func nearestIsTheSameWhicheverWayTheScanIsSplit() {
        // Rows enough for three slices, taken in turn by two threads in whatever order they get
        // them; one thread scans them whole. Coarse vectors (few distinct codes) make tied raw
        // scores common at the k-th place.
        let d = 16
        let n = 2 * VectorIndex.sliceRows + 10_000
        var state: UInt64 = 5
        let values: [Float] = (0..<(n * d)).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int(state >> 61)) - 3.5
        }
        let ids = (0..<Int64(n)).map { $0 * 3 + 7 }
        let split = VectorIndex(dimension: d, threads: 2), whole = VectorIndex(dimension: d, threads: 1)
        split.replaceAll(ids: ids, values: values, dimension: d)
        whole.replaceAll(ids: ids, values: values, dimension: d)
        #expect(split.count >= VectorIndex.parallelRows)
        #expect(split.count > 2 * VectorIndex.sliceRows)
        for query in Self.vectors(8, dimension: d, seed: 21) {
            let a = split.nearest(query, k: 50), b = whole.nearest(query, k: 50)
            #expect(a.count == 50)
            #expect(a.map(\.id) == b.map(\.id))
            #expect(a.map(\.score) == b.map(\.score))
        }
    }

    @Test func topKKeepsTheLargest() {
        var top = TopK(k: 3)
        for (row, score) in [(0, 5), (1, 1), (2, 9), (3, 7), (4, 3), (5, 8)] { top.insert(row, Int32(score)) }
        #expect(Set(top.items.map(\.0)) == [2, 3, 5])
    }

    @Test func topKBreaksTiesByRowWhateverTheOrder() {
        let pairs: [(Int, Int32)] = [(4, 7), (1, 7), (9, 7), (2, 3), (0, 7), (6, 8)]
        var forward = TopK(k: 3), backward = TopK(k: 3)
        for (row, score) in pairs { forward.insert(row, score) }
        for (row, score) in pairs.reversed() { backward.insert(row, score) }
        #expect(Set(forward.items.map(\.0)) == [6, 0, 1])
        #expect(Set(backward.items.map(\.0)) == [6, 0, 1])
    }
}
