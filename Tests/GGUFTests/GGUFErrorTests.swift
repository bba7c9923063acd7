import Testing
import GGUF

@Suite struct GGUFErrorTests {
    static let file = "/models/m.gguf"
    static let all: [GGUFError] = [
        .unreadable(file: file, reason: "Permission denied"),
        .notGGUF(file: file),
        .unsupportedVersion(file: file, version: 1),
        .truncated(file: file, what: "the tensor count", offset: 8, needed: 8),
        .countTooLarge(file: file, what: "the metadata count", count: 1 << 60, limit: 3),
        .stringTooLong(file: file, what: "the length of metadata key 0", length: 1 << 40, limit: 65_536),
        .invalidUTF8(file: file, what: "metadata key 0"),
        .unknownValueType(file: file, key: "general.name", rawType: 13),
        .invalidBool(file: file, key: "tokenizer.ggml.add_bos_token", value: 2),
        .nestingTooDeep(file: file, key: "deep", limit: 8),
        .duplicateKey(file: file, key: "general.name"),
        .duplicateTensor(file: file, name: "output.weight"),
        .invalidAlignment(file: file, value: "uint32(3)"),
        .invalidDimensions(file: file, tensor: "token_embd.weight", dimensions: [0, 4]),
        .unknownTensorType(file: file, tensor: "blk.0.attn_q.weight", rawType: 16),
        .partialBlock(file: file, tensor: "blk.0.attn_q.weight", type: .q4_K, rowLength: 896),
        .misalignedTensor(file: file, tensor: "output.weight", offset: 4, alignment: 32),
        .tensorOutOfBounds(file: file, tensor: "output.weight", offset: 64, byteCount: 1000, fileSize: 512),
    ]

    @Test(arguments: all)
    func messageNamesTheFileAndTheProblem(_ error: GGUFError) {
        #expect(error.message.contains(Self.file))
        #expect(error.message.count > Self.file.count + 20)
    }

    @Test func messagesCarryTheDetails() {
        #expect(Self.all[4].message.contains("1152921504606846976"))
        #expect(Self.all[7].message.contains("'general.name'") && Self.all[7].message.contains("13"))
        #expect(Self.all[14].message.contains("'blk.0.attn_q.weight'") && Self.all[14].message.contains("type 16"))
        #expect(Self.all[15].message.contains("Q4_K") && Self.all[15].message.contains("896") && Self.all[15].message.contains("256"))
        #expect(Self.all[17].message.contains("download it again"))
        #expect(GGUFError.unsupportedVersion(file: Self.file, version: 0x0300_0000).message.contains("big-endian"))
        #expect(Set(Self.all.map(\.message)).count == Self.all.count)
    }
}
