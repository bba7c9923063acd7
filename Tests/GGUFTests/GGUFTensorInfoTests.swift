import Testing
import GGUF

@Suite struct GGUFTensorInfoTests {
    @Test func elementCountIsTheProductOfDimensions() throws {
        var b = GGUFBuilder()
        b.addRaw("m", .q4_0, [64, 3, 2])
        b.addRaw("v", .f32, [5])
        let file = try ByteBox.open(b.build())
        let m = try #require(file.tensor(named: "m"))
        #expect(m.elementCount == 384)
        #expect(m.byteCount == 384 / 32 * 18)
        #expect(file.tensor(named: "v")?.elementCount == 5)
        #expect(m != file.tensor(named: "v"))
    }
}
