import Foundation
import Testing
import TestSupport
import GGUF

/// Files written by other writers: the tiny fixtures made with gguf-py (always present) and the
/// real decoders (when `Scripts/fetch-models decoders` has run; skipped otherwise, saying so).
@Suite struct GGUFModelFilesTests {
    static let fixtures = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("GenerationTests/Fixtures")

    @Test(arguments: ["qwen2", "llama"])
    func tinyFixturesWrittenByGGUFPy(_ arch: String) throws {
        let url = Self.fixtures.appendingPathComponent("tiny-\(arch).gguf")
        try #require(FileManager.default.fileExists(atPath: url.path), "run Scripts/make-tiny-gguf")
        let file = try GGUFFile(contentsOf: url)
        #expect(file.version == 3)
        #expect(file.string("general.architecture") == arch)
        #expect(file.integer("\(arch).block_count") == 2)
        #expect(file.integer("\(arch).embedding_length") == 256)
        #expect(file.integer("\(arch).attention.head_count") == 4)
        #expect(file.integer("\(arch).attention.head_count_kv") == 2)
        #expect(file.float("\(arch).rope.freq_base") == (arch == "qwen2" ? 1e6 : 1e4))
        #expect(file.string("tokenizer.ggml.model") == "gpt2")
        #expect(file.string("tokenizer.ggml.pre") == (arch == "qwen2" ? "qwen2" : "smollm"))
        let tokens = try #require(file.strings("tokenizer.ggml.tokens"))
        #expect(tokens.count == 301)
        #expect(tokens.contains("<|im_end|>") && tokens.contains("Ġhello"))
        #expect(file.integers("tokenizer.ggml.token_type")?.filter { $0 == 3 }.count == 3)
        #expect(file.strings("tokenizer.ggml.merges")?.first == "Ġ t")
        #expect(file.bool("tokenizer.ggml.add_bos_token") == false)
        #expect((file.tensor(named: "output.weight") != nil) == (arch == "qwen2"))
        #expect((file.tensor(named: "blk.0.attn_q.bias") != nil) == (arch == "qwen2"))
        let embd = try #require(file.tensor(named: "token_embd.weight"))
        #expect(embd.dimensions == [256, 301])
        let k = try #require(file.tensor(named: "blk.0.attn_k.weight"))
        #expect(k.dimensions == [256, 128])
        let types = Set(file.tensors.map(\.type))
        #expect(types.isSuperset(of: [.f32, .f16, .q4_0, .q4_1, .q5_0, .q8_0, .q4_K, .q6_K]))
        let norm = try #require(file.tensor(named: "output_norm.weight"))
        let values = file.data(of: norm).withMemoryRebound(to: Float.self) { Array($0) }
        #expect(values.count == 256 && values.allSatisfy { $0 > 0.5 && $0 < 1.5 })
    }

    struct RealModel: Sendable, CustomStringConvertible {
        let file: String, arch: String, blocks: Int, hidden: Int, ffn: Int, heads: Int, kvHeads: Int
        let vocab: Int, tied: Bool, types: Set<GGMLType>
        var description: String { file }
    }

    static let realModels = [
        RealModel(file: TestModels.qwen05, arch: "qwen2", blocks: 24, hidden: 896, ffn: 4864,
                  heads: 14, kvHeads: 2, vocab: 151_936, tied: false, types: [.q5_0, .q8_0, .q4_K, .q6_K, .f32]),
        RealModel(file: TestModels.qwen15, arch: "qwen2", blocks: 28, hidden: 1536, ffn: 8960,
                  heads: 12, kvHeads: 2, vocab: 151_936, tied: false, types: [.q4_K, .q6_K, .f32]),
        RealModel(file: TestModels.smolLM2, arch: "llama", blocks: 30, hidden: 576, ffn: 1536,
                  heads: 9, kvHeads: 3, vocab: 49_152, tied: true, types: [.q4_1, .q8_0, .f32]),
    ]

    static let allInstalled = realModels.allSatisfy { TestModels.isInstalled($0.file) }
    static var someMissing: Comment {
        Comment(rawValue: realModels.first { !TestModels.isInstalled($0.file) }.map { TestModels.missing($0.file) } ?? "")
    }

    @Test(.enabled(if: allInstalled, someMissing), arguments: realModels)
    func realModelMetadata(_ model: RealModel) throws {
        let url = try #require(TestModels.installed(model.file))
        let start = ContinuousClock.now
        let file = try GGUFFile(contentsOf: url)
        print("opened \(model.file) in \(ContinuousClock.now - start)")
        let a = model.arch
        #expect(file.version == 3)
        #expect(file.string("general.architecture") == a)
        #expect(file.integer("\(a).block_count") == model.blocks)
        #expect(file.integer("\(a).embedding_length") == model.hidden)
        #expect(file.integer("\(a).feed_forward_length") == model.ffn)
        #expect(file.integer("\(a).attention.head_count") == model.heads)
        #expect(file.integer("\(a).attention.head_count_kv") == model.kvHeads)
        #expect(file.strings("tokenizer.ggml.tokens")?.count == model.vocab)
        #expect(file.integers("tokenizer.ggml.token_type")?.count == model.vocab)
        #expect(file.string("tokenizer.ggml.model") == "gpt2")
        #expect((file.tensor(named: "output.weight") == nil) == model.tied)
        #expect(Set(file.tensors.map(\.type)) == model.types)
        let perBlock = a == "qwen2" ? 12 : 9
        #expect(file.tensors.count == model.blocks * perBlock + 2 + (model.tied ? 0 : 1))
        let down = try #require(file.tensor(named: "blk.0.ffn_down.weight"))
        #expect(down.dimensions == [model.ffn, model.hidden])
        let embd = try #require(file.tensor(named: "token_embd.weight"))
        #expect(embd.dimensions == [model.hidden, model.vocab])
        if a == "qwen2" {
            #expect(file.integer("tokenizer.ggml.eos_token_id") == 151_645)
            #expect(file.float("qwen2.rope.freq_base") == 1e6)
        }
    }
}
