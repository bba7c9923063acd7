import CBLAS
import CKernels
import Foundation

/// A linear layer's weight (outputs × inputs, PyTorch's layout) in the form the product at hand
/// reads: packed into panels for the encoder's own AVX-512 or AVX2 kernel, or as it came for
/// OpenBLAS on CPUs without either. Only one form is kept in memory.
struct LinearWeight: Sendable {
    /// Which product runs: the own kernel at a vector width, or OpenBLAS.
    enum Kernel: Int32, Sendable, CaseIterable {
        case blas = 0, avx2 = 1, avx512 = 2

        /// The best this CPU runs, unless `SOTTO_ENCODER_GEMM` (blas, avx2, avx512) asks for
        /// another that it also runs: benchmarks set it to compare the kernels in one build.
        static let preferred: Kernel = {
            let best = Kernel(rawValue: sotto_sgemm_best_level()) ?? .blas
            guard let asked = ProcessInfo.processInfo.environment["SOTTO_ENCODER_GEMM"],
                  let kernel = allCases.first(where: { "\($0)" == asked }) else { return best }
            return kernel.rawValue <= best.rawValue ? kernel : best
        }()
    }

    let outputs: Int
    let inputs: Int
    let kernel: Kernel
    private let storage: [Float]

    init(rowMajor weight: [Float], outputs: Int, inputs: Int, kernel: Kernel = .preferred) {
        precondition(weight.count == outputs * inputs, "a linear weight's shape is checked when it is read")
        self.outputs = outputs
        self.inputs = inputs
        self.kernel = kernel
        if kernel == .blas {
            storage = weight
        } else {
            let count = sotto_sgemm_packed_count(outputs, inputs)
            storage = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                weight.withUnsafeBufferPointer { sotto_sgemm_pack($0.baseAddress, outputs, inputs, buffer.baseAddress) }
                initialized = count
            }
        }
    }

    /// The weight in PyTorch's (outputs, inputs) row-major layout, whatever form is stored.
    var rowMajor: [Float] {
        guard kernel != .blas else { return storage }
        var weight = [Float](repeating: 0, count: outputs * inputs)
        for o in 0..<outputs {
            let panel = o / 32 * 32 * inputs, lane = o % 32
            for k in 0..<inputs { weight[o * inputs + k] = storage[panel + k * 32 + lane] }
        }
        return weight
    }

    /// output += input · weightᵀ: (rows, outputs) += (rows, inputs) · (outputs, inputs)ᵀ, both
    /// row-major and dense.
    func accumulate(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, rows: Int) {
        storage.withUnsafeBufferPointer { w in
            if kernel == .blas {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(outputs), Int32(inputs),
                            1, input, Int32(inputs), w.baseAddress, Int32(inputs), 1, output, Int32(outputs))
            } else {
                sotto_sgemm_packed(kernel.rawValue, input, inputs, w.baseAddress, output, outputs, rows, inputs, outputs)
            }
        }
    }
}

/// The kernel the encoder's linear layers run in this process ("avx512", "avx2" or "blas"), for
/// benchmarks to print beside their figures.
public enum EncoderProducts {
    public static var kernel: String { "\(LinearWeight.Kernel.preferred)" }
}
