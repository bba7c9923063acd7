@testable import Retrieval

extension VectorIndex {
    /// Replaces everything with `values` (row-major, `ids.count` × `dimension`): the tests' way to
    /// fill an index (the daemon builds `Rows` as it loads them).
    func replaceAll(ids: [Int64], values: [Float], dimension: Int) {
        var fresh = Rows(dimension: dimension)
        values.withUnsafeBufferPointer { all in
            for (row, id) in ids.enumerated() where (row + 1) * dimension <= all.count {
                fresh.append(id: id, vector: UnsafeBufferPointer(rebasing: all[(row * dimension)..<((row + 1) * dimension)]))
            }
        }
        replace(with: fresh)
    }
}
