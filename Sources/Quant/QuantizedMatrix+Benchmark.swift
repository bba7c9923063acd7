package import GGUF

extension QuantizedMatrix {
    /// The batch methods this CPU runs for `type` (names for quant-bench: "blas", "integer", "gemm").
    package static func benchmarkMethods(type: GGMLType, columns: Int) -> [String] {
        BatchMethod.allCases.filter { $0 != .gemm || BatchMethod.hasGEMM(type: type, columns: columns) }.map { "\($0)" }
    }

    /// multiply(batch:) by the named method instead of the preferred one (quant-bench's measurements).
    package func benchmarkMultiply(
        batch x: UnsafePointer<Float>, count n: Int, into y: UnsafeMutablePointer<Float>, pool: ComputePool, method: String
    ) throws(QuantError) {
        guard let method = BatchMethod.allCases.first(where: { "\($0)" == method }) else { return }
        try multiply(batch: x, count: n, into: y, pool: pool, method: method, kernel: .best)
    }

    /// Below this many weights `multiply(vector:)` runs on the calling thread (the roofline reads such
    /// matrices the same way).
    package static var parallelThresholdForBenchmarks: Int { parallelThreshold }
}
