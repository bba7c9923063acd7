import CKernels
import Synchronization

/// What the C kernels report: SOTTO_QUANT_OK or a failure, which becomes a `QuantError`. Products
/// run on the pool's threads, where nothing can throw, so each records the first failure here and
/// the caller throws it once the product is done.
final class KernelStatus: Sendable {
    private let first = Mutex<Int>(SOTTO_QUANT_OK)

    func record(_ status: Int32) {
        guard Int(status) != SOTTO_QUANT_OK else { return }
        first.withLock { if $0 == SOTTO_QUANT_OK { $0 = Int(status) } }
    }

    /// Throws the first failure recorded, as an error about `matrix`.
    func check(_ matrix: QuantizedMatrix) throws(QuantError) {
        try Self.check(Int32(first.withLock { $0 }), matrix)
    }

    static func check(_ status: Int32, _ matrix: QuantizedMatrix) throws(QuantError) {
        switch Int(status) {
        case SOTTO_QUANT_OK: return
        case SOTTO_QUANT_UNKNOWN_TYPE: throw .unsupportedType(matrix.type)
        case SOTTO_QUANT_BAD_SHAPE: throw .invalidShape(type: matrix.type, rows: matrix.rows, columns: matrix.columns)
        default: throw .outOfMemory(what: "a product with a \(matrix.rows)×\(matrix.columns) \(matrix.type) matrix")
        }
    }
}
