import CBLAS
import CKernels
import Foundation

/// A linear layer's weight (outputs × inputs, PyTorch's layout) in the form the product at hand
/// reads: packed into panels for the encoder's own AVX-512 or AVX2 kernel, or as it came for
/// OpenBLAS on CPUs without either. Only one form is kept in memory.
struct LinearWeight: Sendable {
    /// Which product runs: the own float kernel at a vector width, OpenBLAS, or the integer one.
    enum Kernel: Int32, Sendable, CaseIterable {
        case blas = 0, avx2 = 1, avx512 = 2
        /// 8-bit weights and activations (ggml's Q8_0 blocks: 32 values and a scale) multiplied
        /// with AVX-512 VNNI, the decoder's prefill product.
        case int8 = 3

        /// Whether this CPU runs the kernel.
        var runs: Bool {
            self == .int8 ? sotto_quant_best_level() >= 2 : rawValue <= sotto_sgemm_best_level()
        }

        /// The kernel of `arithmetic` on this CPU: int8 where it runs and is allowed, else the best
        /// float kernel; unless `SOTTO_ENCODER_GEMM` (blas, avx2, avx512, int8) asks for another
        /// that this CPU runs and `arithmetic` allows (benchmarks compare the kernels in one build).
        static func chosen(for arithmetic: EncoderArithmetic) -> Kernel {
            let bestFloat = Kernel(rawValue: sotto_sgemm_best_level()) ?? .blas
            let allowsInt8 = arithmetic == .fastest
            if let asked = ProcessInfo.processInfo.environment["SOTTO_ENCODER_GEMM"],
               let kernel = allCases.first(where: { "\($0)" == asked }), kernel.runs, kernel != .int8 || allowsInt8 {
                return kernel
            }
            return allowsInt8 && Kernel.int8.runs ? .int8 : bestFloat
        }

        /// The kernel of the default arithmetic (`EncoderArithmetic.fastest`).
        static let preferred = chosen(for: .fastest)
    }

    let outputs: Int
    let inputs: Int
    let kernel: Kernel
    /// The float weight: as it came (OpenBLAS) or packed (own float kernels); empty for int8.
    private let storage: [Float]
    /// The int8 weight: each output's row of Q8_0 blocks; empty for the float kernels.
    private let blocks: [UInt8]
    private static let q8Type: Int32 = 8 // GGMLType.q8_0

    /// Keeps `weight` in the form `kernel` reads. The int8 kernel takes only rows of whole 32-value
    /// blocks; for another shape the weight is kept for the best float kernel.
    init(rowMajor weight: [Float], outputs: Int, inputs: Int, kernel: Kernel = .preferred) {
        precondition(weight.count == outputs * inputs, "a linear weight's shape is checked when it is read")
        self.outputs = outputs
        self.inputs = inputs
        let rowBytes = sotto_quant_activation_bytes(Self.q8Type, inputs)
        let kernel = kernel == .int8 && (rowBytes == 0 || !kernel.runs) ? Kernel(rawValue: sotto_sgemm_best_level()) ?? .blas : kernel
        self.kernel = kernel
        switch kernel {
        case .blas:
            storage = weight
            blocks = []
        case .avx2, .avx512:
            let count = sotto_sgemm_packed_count(outputs, inputs)
            storage = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                weight.withUnsafeBufferPointer { sotto_sgemm_pack($0.baseAddress, outputs, inputs, buffer.baseAddress) }
                initialized = count
            }
            blocks = []
        case .int8:
            storage = []
            blocks = [UInt8](unsafeUninitializedCapacity: outputs * rowBytes) { buffer, initialized in
                weight.withUnsafeBufferPointer { w in
                    for o in 0..<outputs {
                        // The shape and type are valid (rowBytes > 0), so quantizing cannot fail.
                        _ = sotto_quant_quantize(Self.q8Type, w.baseAddress! + o * inputs, inputs, buffer.baseAddress! + o * rowBytes, 1)
                    }
                }
                initialized = outputs * rowBytes
            }
        }
    }

    /// The weight in PyTorch's (outputs, inputs) row-major layout, whatever form is stored (for
    /// int8, the values its blocks hold).
    var rowMajor: [Float] {
        switch kernel {
        case .blas:
            return storage
        case .avx2, .avx512:
            var weight = [Float](repeating: 0, count: outputs * inputs)
            for o in 0..<outputs {
                let panel = o / 32 * 32 * inputs, lane = o % 32
                for k in 0..<inputs { weight[o * inputs + k] = storage[panel + k * 32 + lane] }
            }
            return weight
        case .int8:
            let rowBytes = sotto_quant_activation_bytes(Self.q8Type, inputs)
            return [Float](unsafeUninitializedCapacity: outputs * inputs) { buffer, initialized in
                blocks.withUnsafeBytes { w in
                    _ = sotto_quant_dequantize(Self.q8Type, w.baseAddress, rowBytes, outputs, inputs, buffer.baseAddress, inputs)
                }
                initialized = outputs * inputs
            }
        }
    }

    /// output += input · weightᵀ: (rows, outputs) += (rows, inputs) · (outputs, inputs)ᵀ, both
    /// row-major and dense. The int8 kernel quantizes the input rows into `scratch` first.
    func accumulate(
        _ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, rows: Int, scratch: ActivationScratch
    ) throws {
        switch kernel {
        case .blas:
            storage.withUnsafeBufferPointer { w in
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(outputs), Int32(inputs),
                            1, input, Int32(inputs), w.baseAddress, Int32(inputs), 1, output, Int32(outputs))
            }
        case .avx2, .avx512:
            storage.withUnsafeBufferPointer { w in
                sotto_sgemm_packed(kernel.rawValue, input, inputs, w.baseAddress, output, outputs, rows, inputs, outputs)
            }
        case .int8:
            guard rows > 0 else { return }
            let rowBytes = sotto_quant_activation_bytes(Self.q8Type, inputs)
            let prepared = scratch.reserve(bytes: sotto_quant_gemm_activation_bytes(Self.q8Type, inputs, rows))
            // Shapes, type and level were checked when the weight was kept; what is left to fail is an
            // allocation, and then the output is not written: an error, never a wrong vector.
            var status = sotto_quant_gemm_prepare(Self.q8Type, input, inputs, 0, rows, rows, prepared)
            if Int(status) == SOTTO_QUANT_OK {
                status = blocks.withUnsafeBytes { w in
                    sotto_quant_gemm_add(Self.q8Type, w.baseAddress, rowBytes, outputs, inputs, prepared, rows, output, outputs)
                }
            }
            guard Int(status) == SOTTO_QUANT_OK else {
                throw InferenceError.kernelFailed("the int8 product of \(rows) × \(inputs) by \(outputs) × \(inputs) ended with status \(status)")
            }
        }
    }
}

/// A growable buffer for the int8 kernel's quantized activations, reused batch after batch (one per
/// worker: not for concurrent use).
final class ActivationScratch {
    private var buffer: UnsafeMutableRawPointer?
    private var capacity = 0

    init() {}

    deinit { buffer?.deallocate() }

    /// At least `bytes` bytes, 64-byte aligned; the contents are not kept across calls.
    func reserve(bytes: Int) -> UnsafeMutableRawPointer {
        if let buffer, bytes <= capacity { return buffer }
        buffer?.deallocate()
        let size = max(bytes, 64)
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        buffer = fresh
        capacity = size
        return fresh
    }
}

/// The kernel the encoder's linear layers run in this process ("avx512", "avx2" or "blas"), for
/// benchmarks to print beside their figures.
public enum EncoderProducts {
    public static var kernel: String { "\(LinearWeight.Kernel.preferred)" }
}
