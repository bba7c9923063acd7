import CKernels
import GGUF
import Testing
@testable import Quant

/// The kernels refuse what they cannot compute and say so, and a refusal becomes an error.
@Suite struct KernelStatusTests {
    /// 7 is Q5_1: a ggml type the kernels have no traits for.
    static let unknownType: Int32 = 7

    @Test func anUnknownTypeIsRefusedAndNothingIsWritten() {
        let w = [UInt8](repeating: 0, count: 64), x = [Float](repeating: 1, count: 32)
        var xq = [UInt8](repeating: 0, count: 64)
        var y: [Float] = [42]
        #expect(sotto_quant_activation_bytes(Self.unknownType, 32) == 0)
        #expect(Int(sotto_quant_quantize(Self.unknownType, x, 32, &xq, 0)) == SOTTO_QUANT_UNKNOWN_TYPE)
        for level in QuantKernel.available.map(\.level) {
            #expect(Int(sotto_quant_matvec(Self.unknownType, w, 24, 1, 32, xq, &y, level)) == SOTTO_QUANT_UNKNOWN_TYPE)
            #expect(Int(sotto_quant_matvec_batched(Self.unknownType, w, 24, 1, 32, xq, &y, level)) == SOTTO_QUANT_UNKNOWN_TYPE)
            #expect(Int(sotto_quant_matmul(Self.unknownType, w, 24, 1, 32, xq, 64, 1, &y, 1, level)) == SOTTO_QUANT_UNKNOWN_TYPE)
        }
        #expect(Int(sotto_quant_dequantize(Self.unknownType, w, 24, 1, 32, &y, 32)) == SOTTO_QUANT_UNKNOWN_TYPE)
        #expect(y == [42], "nothing was written")
    }

    @Test func aWidthThatIsNotWholeBlocksIsRefused() {
        let x = [Float](repeating: 1, count: 48)
        var xq = [UInt8](repeating: 0, count: 256)
        #expect(sotto_quant_activation_bytes(Int32(GGMLType.q8_0.rawValue), 48) == 0)
        #expect(Int(sotto_quant_quantize(Int32(GGMLType.q8_0.rawValue), x, 48, &xq, 0)) == SOTTO_QUANT_BAD_SHAPE)
    }

    @Test func aFailureBecomesTheMatrixError() throws {
        let bytes = [UInt8](repeating: 0, count: 34)
        try bytes.withUnsafeBytes { raw in
            let m = try QuantizedMatrix(type: .q8_0, rows: 1, columns: 32, data: raw)
            #expect(throws: QuantError.unsupportedType(.q8_0)) { try KernelStatus.check(Int32(SOTTO_QUANT_UNKNOWN_TYPE), m) }
            #expect(throws: QuantError.self) { try KernelStatus.check(Int32(SOTTO_QUANT_NO_MEMORY), m) }
            let status = KernelStatus()
            status.record(Int32(SOTTO_QUANT_OK))
            try status.check(m)
            status.record(Int32(SOTTO_QUANT_BAD_SHAPE))
            status.record(Int32(SOTTO_QUANT_NO_MEMORY))
            #expect(throws: QuantError.invalidShape(type: .q8_0, rows: 1, columns: 32)) { try status.check(m) }
        }
    }
}
