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

    @Test func dotMatchesItsReference() {
        let a: [Int8] = (0..<384).map { Int8(truncatingIfNeeded: $0 * 7 - 100) }
        let b: [Int8] = (0..<384).map { Int8(truncatingIfNeeded: 127 - $0 * 3) }
        let fast = a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in VectorIndex.dot(x.baseAddress!, y.baseAddress!, 384) } }
        #expect(fast == VectorIndex.dotReference(a, b))
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

    @Test func topKKeepsTheLargest() {
        var top = TopK(k: 3)
        for (row, score) in [(0, 5), (1, 1), (2, 9), (3, 7), (4, 3), (5, 8)] { top.insert(row, Int32(score)) }
        #expect(Set(top.items.map(\.0)) == [2, 3, 5])
    }
}
