import Testing
@testable import Retrieval

@Suite struct VectorIndexKernelTests {
    /// Deterministic pseudo-random bytes over the whole Int8 range.
    static func bytes(_ count: Int, seed: UInt64) -> [Int8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int8(truncatingIfNeeded: state >> 56)
        }
    }

    /// Every level this CPU runs, portable C included.
    static var levels: [Int] { Array(0...VectorIndex.kernelLevel) }

    static func scores(_ rows: [Int8], count: Int, dimension: Int, query: [Int8], level: Int) -> [Int32] {
        var out = [Int32](repeating: .min, count: count)
        rows.withUnsafeBufferPointer { r in
            query.withUnsafeBufferPointer { q in
                out.withUnsafeMutableBufferPointer { o in
                    guard let rb = r.baseAddress, let qb = q.baseAddress, let ob = o.baseAddress else { return }
                    VectorIndex.dotRows(rb, count: count, dimension: dimension, query: qb, into: ob, level: level)
                }
            }
        }
        return out
    }

    static func reference(_ rows: [Int8], count: Int, dimension: Int, query: [Int8]) -> [Int32] {
        (0..<count).map { VectorIndex.dotReference(Array(rows[($0 * dimension)..<(($0 + 1) * dimension)]), query) }
    }

    // Dimensions around every vector width (16, 32, 64) and the AVX2 column slice (1024), with tails;
    // row counts with and without a remainder after groups of four.
    @Test(arguments: [1, 3, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 384, 385, 448, 1040, 2100])
    func everyLevelMatchesTheReference(dimension: Int) {
        for count in [1, 4, 7, 13] {
            let rows = Self.bytes(count * dimension, seed: UInt64(dimension * 31 + count))
            let query = Self.bytes(dimension, seed: UInt64(dimension + 1000 * count))
            let expected = Self.reference(rows, count: count, dimension: dimension, query: query)
            for level in Self.levels {
                #expect(Self.scores(rows, count: count, dimension: dimension, query: query, level: level) == expected,
                        "level \(level), dimension \(dimension), \(count) rows")
            }
        }
    }

    @Test func extremesAreExact() {
        let d = 384
        // Rows of −128, of 127, alternating, and a mix; queries of the same.
        let patterns: [[Int8]] = [
            [Int8](repeating: -128, count: d), [Int8](repeating: 127, count: d),
            (0..<d).map { $0 % 2 == 0 ? -128 : 127 }, (0..<d).map { $0 % 3 == 0 ? 127 : -128 },
            [Int8](repeating: 0, count: d),
        ]
        let rows = patterns.flatMap { $0 }
        #expect(Self.reference(rows, count: 2, dimension: d, query: patterns[0]) == [384 * 16384, -384 * 16256])
        for query in patterns {
            let expected = Self.reference(rows, count: patterns.count, dimension: d, query: query)
            for level in Self.levels {
                #expect(Self.scores(rows, count: patterns.count, dimension: d, query: query, level: level) == expected)
            }
        }
    }

    @Test func aLevelAboveTheCPUsRunsAsTheBest() {
        let rows = Self.bytes(5 * 384, seed: 8), query = Self.bytes(384, seed: 9)
        #expect(Self.scores(rows, count: 5, dimension: 384, query: query, level: 7)
            == Self.reference(rows, count: 5, dimension: 384, query: query))
    }
}
