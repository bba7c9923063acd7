import Foundation
import Testing
@testable import Generation

struct DecoderConfigurationTests {
    @Test func readsTheShapeFromMetadata() throws {
        let model = try TinyModel.model(architecture: "qwen2")
        let c = model.configuration
        #expect(c.architecture == .qwen2)
        #expect(c.layerCount == 2 && c.hiddenSize == 32 && c.intermediateSize == 64)
        #expect(c.headCount == 4 && c.kvHeadCount == 2 && c.headDim == 8)
        #expect(c.ropeTheta == 10_000 && c.rmsNormEps == Float(1e-6))
        #expect(c.trainedContextLength == 256)
        #expect(c.vocabularySize == TinyModel.vocabulary.count)
        #expect(c.ropeStyle == .halves && c.hasQKVBias)
        let llama = try TinyModel.model(architecture: "llama").configuration
        #expect(llama.ropeStyle == .adjacentPairs && !llama.hasQKVBias)
    }

    @Test func tiedOutputUsesTheEmbedding() throws {
        let model = try TinyModel.model()
        #expect(model.weights.output.rows == model.weights.tokenEmbedding.rows)
        var withOutput = TinyModel.writer()
        withOutput.add("output.weight", dimensions: [32, TinyModel.vocabulary.count], values: .init(repeating: 0, count: 32 * TinyModel.vocabulary.count))
        let untied = try DecoderModel(file: withOutput.file(), name: "untied.gguf")
        // An all-zero output matrix gives all-zero logits: the file's matrix is the one used.
        let session = try DecoderSession(model: untied, contextLength: 8, threads: 1)
        #expect(try session.evaluate([5]).allSatisfy { $0 == 0 })
    }

    func loadError(_ change: (inout GGUFWriter) -> Void) throws -> String {
        var writer = TinyModel.writer()
        change(&writer)
        do {
            _ = try DecoderModel(file: writer.file(), name: "broken.gguf")
        } catch let error as GenerationError {
            return error.message
        }
        Issue.record("the model loaded")
        return ""
    }

    @Test func unsupportedArchitectureIsNamed() throws {
        let message = try loadError { $0.set("general.architecture", .string("mamba")) }
        #expect(message.contains("broken.gguf") && message.contains("mamba"))
    }

    @Test func missingKeyIsNamed() throws {
        let message = try loadError { $0.remove("llama.attention.head_count_kv") }
        #expect(message.contains("broken.gguf") && message.contains("llama.attention.head_count_kv"))
    }

    @Test func inconsistentShapesAreRefused() throws {
        let heads = try loadError { $0.set("llama.attention.head_count", .uint32(5)) }
        #expect(heads.contains("not a multiple"))
        let kv = try loadError { $0.set("llama.attention.head_count_kv", .uint32(3)) }
        #expect(kv.contains("KV head count"))
        let tensor = try loadError { $0.add("blk.1.ffn_up.weight", dimensions: [32, 63], values: .init(repeating: 0, count: 32 * 63)) }
        #expect(tensor.contains("blk.1.ffn_up.weight") && tensor.contains("[32, 63]"))
        let missing = try loadError { $0.tensors.removeAll { $0.name == "blk.0.attn_q.weight" } }
        #expect(missing.contains("blk.0.attn_q.weight") && missing.contains("missing"))
        let bias = try loadError {
            $0.set("general.architecture", .string("qwen2"))
            for key in $0.metadata.map(\.0) where key.hasPrefix("llama.") {
                if let value = $0.metadata.first(where: { $0.0 == key })?.1 {
                    $0.set("qwen2." + key.dropFirst(6), value)
                }
            }
        }
        #expect(bias.contains("biases"))
    }

    @Test func unsupportedTensorTypeIsNamed() throws {
        let message = try loadError { writer in
            let index = writer.tensors.firstIndex { $0.name == "blk.0.ffn_gate.weight" }!
            // Q5_1: 24 bytes per 32 values.
            writer.tensors[index] = GGUFWriter.Tensor(
                name: "blk.0.ffn_gate.weight", dimensions: [32, 64], type: .q5_1, bytes: .init(repeating: 0, count: 64 * 24))
        }
        #expect(message.contains("blk.0.ffn_gate.weight") && message.contains("Q5_1"))
    }

    @Test func notAGGUFFileIsAClearError() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sotto-\(UUID().uuidString).gguf")
        try Data("not a model".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect {
            _ = try DecoderModel(contentsOf: url)
        } throws: { error in
            (error as? GenerationError)?.message.contains(url.path) ?? false
        }
    }
}
