import Testing
import GGUF

@Suite struct GGUFValueTests {
    @Test func integerValueWidensEveryIntegerType() {
        let values: [GGUFValue] = [.uint8(255), .int8(-128), .uint16(65_535), .int16(-32_768), .uint32(UInt32.max),
                                   .int32(Int32.min), .uint64(1 << 40), .int64(-(1 << 40))]
        #expect(values.map(\.integerValue) == [255, -128, 65_535, -32_768, Int(UInt32.max), Int(Int32.min), 1 << 40, -(1 << 40)])
        #expect(GGUFValue.uint64(UInt64.max).integerValue == nil)
        #expect(GGUFValue.float32(1).integerValue == nil)
        #expect(GGUFValue.bool(true).integerValue == nil)
    }

    @Test func floatValueTakesFloatsAndIntegers() {
        #expect(GGUFValue.float32(0.25).floatValue == 0.25)
        #expect(GGUFValue.float64(1e-6).floatValue == 1e-6)
        #expect(GGUFValue.int32(-3).floatValue == -3)
        #expect(GGUFValue.uint64(UInt64.max).floatValue == Double(UInt64.max))
        #expect(GGUFValue.string("1.0").floatValue == nil)
    }

    @Test func stringValue() {
        #expect(GGUFValue.string("qwen2").stringValue == "qwen2")
        #expect(GGUFValue.array([.string("x")]).stringValue == nil)
    }
}
