import CKernels

extension QuantizedMatrix {
    /// One matrix-vector product of a list that all multiply the same input vector.
    public struct Product {
        public let matrix: QuantizedMatrix
        public let output: UnsafeMutablePointer<Float>

        public init(_ matrix: QuantizedMatrix, into output: UnsafeMutablePointer<Float>) {
            self.matrix = matrix
            self.output = output
        }
    }

    /// output_i = W_i · x for every product, all handed to the pool at once: the decoder's query, key
    /// and value matrices (and gate and up) take the same normed input, and one hand-off instead of
    /// three leaves the threads one wait for the slower instead of three. Every row is summed as
    /// `multiply(vector:)` sums it (`.vector` order): the outputs are the same bits.
    public static func multiply(
        _ products: [Product], vector x: UnsafePointer<Float>, pool: ComputePool
    ) throws(QuantError) {
        let live = products.filter { $0.matrix.base != nil && $0.matrix.rows > 0 }
        guard !live.isEmpty else { return }
        var offsets: [Int] = []
        var bytes = 0
        for product in live {
            offsets.append(bytes)
            // 64-byte aligned pieces, as one product's own scratch is.
            bytes += (sotto_quant_activation_bytes(product.matrix.typeCode, product.matrix.columns) + 63) & ~63
        }
        // One status a product, so that a failure names its own matrix.
        let statuses = live.map { _ in KernelStatus() }
        let kernel = QuantKernel.best
        withUnsafeTemporaryAllocation(byteCount: max(bytes, 64), alignment: 64) { scratch in
            guard let base = scratch.baseAddress else { return }
            var jobs: [MatvecJob] = []
            var starts: [Int] = []
            var rows = 0, work = 0
            for ((product, offset), status) in zip(zip(live, offsets), statuses) {
                let m = product.matrix
                guard let weights = m.base else { continue }
                let xq = base + offset
                status.record(sotto_quant_quantize(m.typeCode, x, m.columns, xq, kernel.level))
                jobs.append(MatvecJob(
                    type: m.typeCode, weights: weights, rowBytes: m.rowBytes, columns: m.columns,
                    activations: UnsafeRawPointer(xq), output: product.output, level: kernel.level, batched: false, status: status))
                starts.append(rows)
                rows += m.rows
                work += m.rows * m.columns
            }
            starts.append(rows)
            let run: @Sendable (Range<Int>) -> Void = { [jobs, starts] range in
                // The jobs whose rows this part covers, each from its own first row.
                for (index, job) in jobs.enumerated() {
                    let lower = max(range.lowerBound, starts[index]), upper = min(range.upperBound, starts[index + 1])
                    if lower < upper { job.run((lower - starts[index])..<(upper - starts[index])) }
                }
            }
            if work < parallelThreshold {
                run(0..<rows)
            } else {
                pool.parallelFor(rows, run)
            }
        }
        for (product, status) in zip(live, statuses) { try status.check(product.matrix) }
    }
}
