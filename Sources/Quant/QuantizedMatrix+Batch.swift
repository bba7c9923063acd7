import CBLAS
import CKernels
import GGUF

extension QuantizedMatrix {
    /// Y (n × rows, row-major) = X (n × columns, row-major) · Wᵀ (prefill; BLAS over dequantized tiles
    /// or integer kernels, whichever measured faster for the type and batch size).
    public func multiply(batch x: UnsafePointer<Float>, count n: Int, into y: UnsafeMutablePointer<Float>, pool: ComputePool) {
        multiply(batch: x, count: n, into: y, pool: pool, method: BatchMethod.preferred(type: type, count: n), kernel: .best)
    }

    func multiply(
        batch x: UnsafePointer<Float>, count n: Int, into y: UnsafeMutablePointer<Float>, pool: ComputePool,
        method: BatchMethod, kernel: QuantKernel
    ) {
        guard let base, rows > 0, n > 0 else { return }
        switch method {
        case .blas: multiplyBLAS(base, x, n, y, pool)
        case .integer: multiplyInteger(base, x, n, y, pool, kernel)
        }
    }

    /// Weight rows dequantized per BLAS call: ~2 MB of floats (64 to 512 rows). sgemm re-reads X for
    /// each tile, so tiles must be wide; small ones (tens of rows) ran 10× slower.
    var tileRows: Int { min(rows, max(64, min(512, (2 << 20) / (4 * columns)))) }

    private func multiplyBLAS(_ base: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ n: Int, _ y: UnsafeMutablePointer<Float>, _ pool: ComputePool) {
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
                sotto_quant_dequantize(
                    job.type, job.weights + start * job.rowBytes, job.rowBytes, count, job.columns, buffer, job.columns)
                // Y[:, start..<start+count] = X · tileᵀ
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasTrans, Int32(job.n), Int32(count), Int32(job.columns),
                    1, job.input, Int32(job.columns), buffer, Int32(job.columns),
                    0, job.output + start, Int32(job.rows))
                start += count
            }
        }
    }

    private func multiplyInteger(
        _ base: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ n: Int, _ y: UnsafeMutablePointer<Float>,
        _ pool: ComputePool, _ kernel: QuantKernel
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
                sotto_quant_quantize(
                    job.type, job.input + i * job.columns, job.columns, activations + i * job.activationBytes, job.level)
            }
        }
        pool.parallelFor(rows) { range in
            sotto_quant_matmul(
                job.type, job.weights + range.lowerBound * job.rowBytes, job.rowBytes, range.count, job.columns,
                job.activations, job.activationBytes, job.n, job.output + range.lowerBound, job.rows, job.level)
        }
    }
}

/// How a batch product runs: sgemm over dequantized weight tiles, or the integer kernels over
/// quantized activation rows.
enum BatchMethod: Sendable, CaseIterable {
    case blas
    case integer

    /// The crossover batch size per type, measured with quant-bench (1 thread, CPU time, OpenBLAS
    /// SkylakeX kernels): below it the integer kernels win, since dequantizing the whole matrix is
    /// not repaid by a few rows. Q4_K's integer kernel is the fastest (one float step per 256 values),
    /// so BLAS overtakes it only from ~64 rows.
    static func preferred(type: GGMLType, count: Int) -> BatchMethod {
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
