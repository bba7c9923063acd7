import Foundation
import GGUF
@testable import Quant
import Testing

@Suite struct DequantizeTests {
    /// The gguf Python package's dequantizer (Fixtures/README.md) and ours agree on every bit.
    @Test(arguments: [GGMLType.f16, .q4_0, .q4_1, .q5_0, .q8_0, .q4_K, .q6_K])
    func matchesGGUFPackageBitForBit(type: GGMLType) throws {
        let blocks = try TestData.fixture("\(type).bin")
        let expectedData = try TestData.fixture("\(type).f32")
        let count = expectedData.count / 4
        let expected = expectedData.withUnsafeBytes { raw in
            (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
        #expect(blocks.count == type.byteCount(elements: count))
        let got = try blocks.withUnsafeBytes { try Dequantize.reference(type: type, bytes: $0, count: count) }
        #expect(got.count == count)
        let mismatches = (0..<count).filter { got[$0].bitPattern != expected[$0].bitPattern }
        #expect(mismatches.isEmpty, "first mismatch at \(mismatches.first ?? -1)")
    }

    @Test func plainTypes() throws {
        let f32: [Float] = [1.5, -2.25, 0, .infinity]
        let got = try f32.withUnsafeBytes { try Dequantize.reference(type: .f32, bytes: $0, count: 4) }
        #expect(got == f32)
        // BF16 is the top half of an F32.
        let bf16: [UInt16] = [0x3FC0, 0xC010]
        let wide = try bf16.withUnsafeBytes { try Dequantize.reference(type: .bf16, bytes: $0, count: 2) }
        #expect(wide == [1.5, -2.25])
    }

    @Test func rejectsBadInput() {
        let bytes = [UInt8](repeating: 0, count: 34)
        bytes.withUnsafeBytes { raw in
            #expect(throws: QuantError.dataTooShort(needed: 68, available: 34)) {
                try Dequantize.reference(type: .q8_0, bytes: raw, count: 64)
            }
            #expect(throws: QuantError.invalidShape(type: .q8_0, rows: 1, columns: 31)) {
                try Dequantize.reference(type: .q8_0, bytes: raw, count: 31)
            }
            #expect(throws: QuantError.unsupportedType(.q2_K)) {
                try Dequantize.reference(type: .q2_K, bytes: raw, count: 256)
            }
        }
    }
}
