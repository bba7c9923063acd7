import CKernels

extension VectorIndex {
    /// The instruction-set level of the Int8 scan on this CPU: 0 portable C, 1 AVX2, 2 AVX-512 VNNI.
    static let kernelLevel = Int(sotto_vector_best_level())

    /// `scores[i]` = row i · `query` (exact Int32) for `count` rows of `dimension` bytes; a level
    /// above `kernelLevel` runs as `kernelLevel`.
    @inline(__always)
    static func dotRows(
        _ rows: UnsafePointer<Int8>, count: Int, dimension: Int, query: UnsafePointer<Int8>,
        into scores: UnsafeMutablePointer<Int32>, level: Int = kernelLevel
    ) {
        sotto_vector_dot_i8(rows, count, dimension, query, scores, Int32(level))
    }

    /// Reference for `dotRows`: one row's dot product, plainly (wrapping as the kernels do).
    static func dotReference(_ a: [Int8], _ b: [Int8]) -> Int32 {
        zip(a, b).reduce(Int32(0)) { $0 &+ Int32($1.0) &* Int32($1.1) }
    }
}
