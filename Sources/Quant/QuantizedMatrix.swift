import CKernels
public import GGUF

/// A row-major matrix of `rows` rows of `columns` values stored in a GGML type (weights stay quantized).
/// For a GGUF tensor: columns = dimensions[0], rows = dimensions[1].
///
/// The matrix does not own its bytes (typically an mmap held by a `GGUFFile`): keep their owner alive
/// while the matrix is in use.
public struct QuantizedMatrix: @unchecked Sendable {
    public let type: GGMLType
    public let rows: Int
    public let columns: Int
    /// Bytes per row: `columns / type.blockSize` blocks.
    public let rowBytes: Int
    let base: UnsafeRawPointer?

    /// Wraps `data` (at least rows × rowBytes bytes) as a matrix; throws when the type has no kernels,
    /// the shape is not whole blocks, or the bytes are too few.
    public init(type: GGMLType, rows: Int, columns: Int, data: UnsafeRawBufferPointer) throws(QuantError) {
        guard type.isSupportedWeightType else { throw .unsupportedType(type) }
        guard rows >= 0, columns > 0, let rowBytes = type.byteCount(elements: columns) else {
            throw .invalidShape(type: type, rows: rows, columns: columns)
        }
        let (needed, overflow) = rows.multipliedReportingOverflow(by: rowBytes)
        guard !overflow, Int32(exactly: columns) != nil, Int32(exactly: rows) != nil else {
            throw .invalidShape(type: type, rows: rows, columns: columns)
        }
        guard data.count >= needed else { throw .dataTooShort(needed: needed, available: data.count) }
        self.type = type
        self.rows = rows
        self.columns = columns
        self.rowBytes = rowBytes
        base = needed > 0 ? data.baseAddress : nil
    }

    /// Writes row `row` (0..<rows) as `columns` floats.
    public func dequantizeRow(_ row: Int, into destination: UnsafeMutablePointer<Float>) throws(QuantError) {
        guard row >= 0, row < rows, let base else { return }
        try KernelStatus.check(sotto_quant_dequantize(typeCode, base + row * rowBytes, rowBytes, 1, columns, destination, columns), self)
    }

    /// y[r] = W[r,:]·x for all rows (decode). Splits rows over the pool.
    ///
    /// x (`columns` floats) is quantized once to the 8-bit activation blocks paired with the weight
    /// type (Q8_0, Q8_1 or Q8_K, as ggml does); each row's dot product is then integer arithmetic.
    public func multiply(vector x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, pool: ComputePool) throws(QuantError) {
        try multiply(vector: x, into: y, pool: pool, kernel: .best)
    }

    /// The order in which a row's dot product is summed (the integer sums are the same; the float
    /// rounding is not): llama.cpp's matrix-vector kernel, or the order its batched kernels use for a
    /// token row of a prompt batch (`sotto_quant_matvec_batched`: Q6_K's tiled matmul, Q4_K's
    /// repacked gemm; other types sum as the matrix-vector kernel does).
    public enum SummationOrder: Sendable {
        case vector
        case batched
    }

    /// y[r] = W[r,:]·x for all rows, summed in `order`.
    public func multiply(
        vector x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, pool: ComputePool, order: SummationOrder
    ) throws(QuantError) {
        try multiply(vector: x, into: y, pool: pool, kernel: .best, order: order)
    }

    var typeCode: Int32 { Int32(type.rawValue) }

    /// Below this many weights a product runs on the calling thread: waking the pool would cost more.
    static let parallelThreshold = 32 * 1024

    func multiply(
        vector x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, pool: ComputePool, kernel: QuantKernel,
        order: SummationOrder = .vector
    ) throws(QuantError) {
        guard let base, rows > 0 else { return }
        let activationBytes = sotto_quant_activation_bytes(typeCode, columns)
        let status = KernelStatus()
        withUnsafeTemporaryAllocation(byteCount: activationBytes, alignment: 64) { scratch in
            guard let xq = scratch.baseAddress else { return }
            status.record(sotto_quant_quantize(typeCode, x, columns, xq, kernel.level))
            let job = MatvecJob(
                type: typeCode, weights: base, rowBytes: rowBytes, columns: columns,
                activations: UnsafeRawPointer(xq), output: y, level: kernel.level, batched: order == .batched, status: status)
            if rows * columns < Self.parallelThreshold {
                job.run(0..<rows)
            } else {
                pool.parallelFor(rows) { job.run($0) }
            }
        }
        try status.check(self)
    }
}

/// One matrix-vector product's pointers, shared read-only by the pool's threads (each writes only
/// its own rows of the output).
struct MatvecJob: @unchecked Sendable {
    let type: Int32
    let weights: UnsafeRawPointer
    let rowBytes: Int
    let columns: Int
    let activations: UnsafeRawPointer
    let output: UnsafeMutablePointer<Float>
    let level: Int32
    let batched: Bool
    let status: KernelStatus

    func run(_ range: Range<Int>) {
        let w = weights + range.lowerBound * rowBytes, y = output + range.lowerBound
        if batched {
            status.record(sotto_quant_matvec_batched(type, w, rowBytes, range.count, columns, activations, y, level))
        } else {
            status.record(sotto_quant_matvec(type, w, rowBytes, range.count, columns, activations, y, level))
        }
    }
}
