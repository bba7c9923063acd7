import CKernels
import GGUF

/// Which implementation of the C kernels runs: AVX2/FMA where the CPU has it, else portable C.
/// Tests pin each one to hold both to the reference.
enum QuantKernel: Sendable, CaseIterable {
    case portable
    case avx2

    static let hasAVX2 = sotto_kernels_have_avx2() != 0

    /// The fastest implementation this CPU runs.
    static var best: QuantKernel { hasAVX2 ? .avx2 : .portable }

    /// The implementations this CPU can run (for tests).
    static var available: [QuantKernel] { hasAVX2 ? [.portable, .avx2] : [.portable] }

    var avx2: Int32 { self == .avx2 ? 1 : 0 }
}

extension QuantKernel {
    /// x quantized to the activation blocks `type`'s dot product reads.
    func quantize(type: GGMLType, _ x: [Float]) -> [UInt8] {
        let code = Int32(type.rawValue)
        var out = [UInt8](repeating: 0, count: sotto_quant_activation_bytes(code, x.count))
        out.withUnsafeMutableBytes { o in
            x.withUnsafeBufferPointer { sotto_quant_quantize(code, $0.baseAddress, x.count, o.baseAddress, avx2) }
        }
        return out
    }

    /// The dot products of `rows` rows of `weights` (all `columns` wide) with quantized activations.
    func dots(type: GGMLType, weights: [UInt8], rows: Int, columns: Int, activations: [UInt8]) -> [Float] {
        let code = Int32(type.rawValue)
        var y = [Float](repeating: .nan, count: rows)
        let rowBytes = type.byteCount(elements: columns) ?? 0
        guard weights.count >= rows * rowBytes else { return y }
        weights.withUnsafeBytes { w in
            activations.withUnsafeBytes { a in
                y.withUnsafeMutableBufferPointer {
                    sotto_quant_matvec(code, w.baseAddress, rowBytes, rows, columns, a.baseAddress, $0.baseAddress, avx2)
                }
            }
        }
        return y
    }
}
