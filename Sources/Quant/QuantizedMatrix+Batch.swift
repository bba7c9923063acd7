import CBLAS
import CKernels
import GGUF

extension QuantizedMatrix {
    /// Y (n × rows, row-major) = X (n × columns, row-major) · Wᵀ (prefill; BLAS over dequantized tiles
    /// or integer kernels, whichever measured faster for the type and batch size).
    public func multiply(
        batch x: UnsafePointer<Float>, count n: Int, into y: UnsafeMutablePointer<Float>, pool: ComputePool
    ) throws(QuantError) {
        try multiply(
            batch: x, count: n, into: y, pool: pool, method: BatchMethod.preferred(type: type, columns: columns, count: n),
            kernel: .best)
    }

    /// Y (n, rows) = X (n, columns) · Wᵀ with every row of Y summed exactly as `multiply(vector:)`
    /// sums it (`.vector` order), the weights read from memory once for all n rows. A speculative
    /// decoder verifies a few drafted tokens in one pass with it and still gets, bit for bit, the
    /// logits that decoding them one at a time would give.
    public func multiply(
        vectors x: UnsafePointer<Float>, count n: Int, into y: UnsafeMutablePointer<Float>, pool: ComputePool
    ) throws(QuantError) {
        try multiply(batch: x, count: n, into: y, pool: pool, method: .integer, kernel: .best)
    }

    func multiply(
        batch x: UnsafePointer<Float>, count n: Int, into y: UnsafeMutablePointer<Float>, pool: ComputePool,
        method: BatchMethod, kernel: QuantKernel
    ) throws(QuantError) {
        guard let base, rows > 0, n > 0 else { return }
        let status = KernelStatus()
        switch method {
        case .blas: multiplyBLAS(base, x, n, y, pool, status)
        case .integer: multiplyInteger(base, x, n, y, pool, kernel, status)
        case .gemm:
            if BatchMethod.hasGEMM(type: type, columns: columns) {
                multiplyGEMM(base, x, n, y, pool, status)
            } else {
                multiplyInteger(base, x, n, y, pool, kernel, status)
            }
        }
        try status.check(self)
    }

    /// Weight rows dequantized per BLAS call: ~2 MB of floats (64 to 512 rows). sgemm re-reads X for
    /// each tile, so tiles must be wide; small ones (tens of rows) ran 10× slower.
    var tileRows: Int { min(rows, max(64, min(512, (2 << 20) / (4 * columns)))) }

    private func multiplyBLAS(
        _ base: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ n: Int, _ y: UnsafeMutablePointer<Float>, _ pool: ComputePool,
        _ status: KernelStatus
    ) {
        _ = BLASThreads.single
        let job = BatchJob(
            type: typeCode, weights: base, rowBytes: rowBytes, rows: rows, columns: columns,
            input: x, n: n, activations: nil, activationBytes: 0, output: y, level: 0)
        let tile = tileRows
        pool.parallelFor(rows) { range in
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: tile * job.columns)
            defer { buffer.deallocate() }
            var start = range.lowerBound
            while start < range.upperBound {
                let count = min(tile, range.upperBound - start)
                status.record(sotto_quant_dequantize(
                    job.type, job.weights + start * job.rowBytes, job.rowBytes, count, job.columns, buffer, job.columns))
                // Y[:, start..<start+count] = X · tileᵀ
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasTrans, Int32(job.n), Int32(count), Int32(job.columns),
                    1, job.input, Int32(job.columns), buffer, Int32(job.columns),
                    0, job.output + start, Int32(job.rows))
                start += count
            }
        }
    }

    /// The activations are quantized and rearranged once (in parallel over rows), then each thread
    /// takes whole 32-row tiles of W against every activation row.
    private func multiplyGEMM(
        _ base: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ n: Int, _ y: UnsafeMutablePointer<Float>, _ pool: ComputePool,
        _ status: KernelStatus
    ) {
        let bytes = sotto_quant_gemm_activation_bytes(typeCode, columns, n)
        let prepared = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        defer { prepared.deallocate() }
        let job = BatchJob(
            type: typeCode, weights: base, rowBytes: rowBytes, rows: rows, columns: columns,
            input: x, n: n, activations: prepared, activationBytes: bytes, output: y, level: 2)
        pool.parallelFor(n) { range in
            status.record(sotto_quant_gemm_prepare(job.type, job.input, job.columns, range.lowerBound, range.count, job.n, job.activations))
        }
        let tile = Self.gemmTileRows
        pool.parallelFor((rows + tile - 1) / tile) { range in
            let first = range.lowerBound * tile, end = min(job.rows, range.upperBound * tile)
            status.record(sotto_quant_gemm(
                job.type, job.weights + first * job.rowBytes, job.rowBytes, end - first, job.columns,
                job.activations, job.n, job.output + first, job.rows))
        }
    }

    /// Weight rows per GEMM tile (GEMM_ROWS in quant_gemm.c): threads split the rows on tile boundaries.
    static var gemmTileRows: Int { 32 }

    private func multiplyInteger(
        _ base: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ n: Int, _ y: UnsafeMutablePointer<Float>,
        _ pool: ComputePool, _ kernel: QuantKernel, _ status: KernelStatus
    ) {
        let stride = sotto_quant_activation_bytes(typeCode, columns)
        let activations = UnsafeMutableRawPointer.allocate(byteCount: stride * n, alignment: 64)
        defer { activations.deallocate() }
        let job = BatchJob(
            type: typeCode, weights: base, rowBytes: rowBytes, rows: rows, columns: columns,
            input: x, n: n, activations: activations, activationBytes: stride, output: y, level: kernel.level)
        pool.parallelFor(n) { range in
            guard let activations = job.activations else { return }
            for i in range {
                status.record(sotto_quant_quantize(
                    job.type, job.input + i * job.columns, job.columns, activations + i * job.activationBytes, job.level))
            }
        }
        pool.parallelFor(rows) { range in
            status.record(sotto_quant_matmul(
                job.type, job.weights + range.lowerBound * job.rowBytes, job.rowBytes, range.count, job.columns,
                job.activations, job.activationBytes, job.n, job.output + range.lowerBound, job.rows, job.level))
        }
    }
}

/// How a batch product runs: sgemm over dequantized weight tiles, the matrix-vector integer kernels
/// row by row, or the register-blocked integer GEMM (AVX-512 VNNI).
enum BatchMethod: Sendable, CaseIterable {
    case blas
    case integer
    case gemm

    /// Whether the integer GEMM runs for this type and width on this CPU.
    static func hasGEMM(type: GGMLType, columns: Int) -> Bool {
        QuantKernel.bestLevel >= 2 && sotto_quant_gemm_activation_bytes(Int32(type.rawValue), columns, 1) > 0
    }

    /// The crossover batch sizes per type, measured with quant-bench (1 thread, CPU time, OpenBLAS
    /// SkylakeX kernels): below them the matrix-vector kernels win, since neither dequantizing the
    /// whole matrix nor decoding GEMM tiles is repaid by a few rows. Where the VNNI GEMM runs, it is
    /// the fastest from 8 rows (Xeon, 1 thread, Q4_K 1536×1536: matrix-vector 70 GFLOP/s at every n;
    /// GEMM 90 at n = 8, 134 at 16, 194 at 32, 280–320 at 512; BLAS ≤ 30; Q6_K 1536×8960, Q5_0 and
    /// Q8_0 896×896 alike) and BLAS never wins.
    static func preferred(type: GGMLType, columns: Int, count: Int) -> BatchMethod {
        if hasGEMM(type: type, columns: columns) { return count < 8 ? .integer : .gemm }
        let crossover = switch type {
        case .q4_K: 64
        case .q6_K: 32
        case .q5_0, .f16, .f32: 16
        default: 12
        }
        return count < crossover ? .integer : .blas
    }
}

/// OpenBLAS runs single-threaded: the pool already splits the work over the cores, and OpenBLAS's own
/// threads would fight it (the encoder sets the same).
private enum BLASThreads {
    static let single: Void = openblas_set_num_threads(1)
}

/// One batch product's pointers, shared read-only by the pool's threads (each writes only its own
/// columns of Y, or its own rows of the quantized activations).
private struct BatchJob: @unchecked Sendable {
    let type: Int32
    let weights: UnsafeRawPointer
    let rowBytes: Int
    let rows: Int
    let columns: Int
    let input: UnsafePointer<Float>
    let n: Int
    let activations: UnsafeMutableRawPointer?
    let activationBytes: Int
    let output: UnsafeMutablePointer<Float>
    let level: Int32
}
