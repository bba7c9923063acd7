import CKernels
import GGUF

/// Which implementation of the C kernels runs: AVX-512 VNNI, AVX2/FMA or portable C, the best the CPU
/// has. Tests pin each one to hold all to the reference.
enum QuantKernel: Sendable, CaseIterable {
    case portable
    case avx2
    case vnni

    static let bestLevel = sotto_quant_best_level()

    /// The fastest implementation this CPU runs.
    static let best: QuantKernel = available.last ?? .portable

    /// The implementations this CPU can run (for tests).
    static var available: [QuantKernel] { allCases.filter { $0.level <= bestLevel } }

    /// The C kernels' level number.
    var level: Int32 {
        switch self {
        case .portable: 0
        case .avx2: 1
        case .vnni: 2
        }
    }
}

extension QuantKernel {
    /// x quantized to the activation blocks `type`'s dot product reads (empty when the kernel refuses).
    func quantize(type: GGMLType, _ x: [Float]) -> [UInt8] {
        let code = Int32(type.rawValue)
        var out = [UInt8](repeating: 0, count: sotto_quant_activation_bytes(code, x.count))
        let status = out.withUnsafeMutableBytes { o in
            x.withUnsafeBufferPointer { sotto_quant_quantize(code, $0.baseAddress, x.count, o.baseAddress, level) }
        }
        return Int(status) == SOTTO_QUANT_OK ? out : []
    }

    /// The dot products of `rows` rows of `weights` (all `columns` wide) with quantized activations
    /// (NaN where the kernel refuses).
    func dots(type: GGMLType, weights: [UInt8], rows: Int, columns: Int, activations: [UInt8]) -> [Float] {
        let code = Int32(type.rawValue)
        var y = [Float](repeating: .nan, count: rows)
        let rowBytes = type.byteCount(elements: columns) ?? 0
        guard weights.count >= rows * rowBytes else { return y }
        weights.withUnsafeBytes { w in
            activations.withUnsafeBytes { a in
                y.withUnsafeMutableBufferPointer {
                    let status = sotto_quant_matvec(code, w.baseAddress, rowBytes, rows, columns, a.baseAddress, $0.baseAddress, level)
                    if Int(status) != SOTTO_QUANT_OK { $0.update(repeating: .nan) }
                }
            }
        }
        return y
    }
}
