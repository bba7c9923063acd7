import Testing
import GGUF

@Suite struct GGMLTypeTests {
    @Test func blockTableMatchesGGML() {
        // (values per block, bytes per block) from ggml's type traits.
        let expected: [GGMLType: (Int, Int)] = [
            .f32: (1, 4), .f16: (1, 2), .bf16: (1, 2), .q4_0: (32, 18), .q4_1: (32, 20), .q5_0: (32, 22),
            .q5_1: (32, 24), .q8_0: (32, 34), .q8_1: (32, 36), .q2_K: (256, 84), .q3_K: (256, 110),
            .q4_K: (256, 144), .q5_K: (256, 176), .q6_K: (256, 210), .q8_K: (256, 292),
            .i8: (1, 1), .i16: (1, 2), .i32: (1, 4), .i64: (1, 8), .f64: (1, 8),
        ]
        #expect(expected.count == GGMLType.allCases.count)
        for type in GGMLType.allCases {
            #expect(type.blockSize == expected[type]?.0 && type.blockBytes == expected[type]?.1, "\(type)")
        }
    }

    @Test func byteCount() {
        #expect(GGMLType.q4_K.byteCount(elements: 512) == 288)
        #expect(GGMLType.q4_K.byteCount(elements: 100) == nil)
        #expect(GGMLType.f16.byteCount(elements: 3) == 6)
        #expect(GGMLType.q8_0.byteCount(elements: -32) == nil)
        #expect(GGMLType.f64.byteCount(elements: Int.max) == nil)
    }

    @Test func supportedWeightTypesAreTheDecodersEight() {
        #expect(Set(GGMLType.allCases.filter(\.isSupportedWeightType)) == [.f32, .f16, .q4_0, .q4_1, .q5_0, .q8_0, .q4_K, .q6_K])
        #expect(GGMLType.q6_K.description == "Q6_K" && GGMLType(rawValue: 12) == .q4_K && GGMLType(rawValue: 16) == nil)
    }
}
