import Foundation
import Testing
@testable import Inference

@Suite struct BertConfigurationTests {
    private func load(_ json: String) throws -> BertConfiguration {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("config.json")
        try Data(json.utf8).write(to: url)
        return try BertConfiguration(contentsOf: url)
    }

    private let sizes = #""vocab_size":30,"hidden_size":16,"num_hidden_layers":2,"num_attention_heads":2,"intermediate_size":32"#

    @Test func readsTheTinyModel() throws {
        let c = try BertConfiguration(contentsOf: Fixtures.tinyBERT.appendingPathComponent("config.json"))
        #expect(c == BertConfiguration(vocabularySize: 40, hiddenSize: 16, layerCount: 2, headCount: 2, intermediateSize: 32,
                                       activation: .gelu, layerNormEps: 1e-12, maxPositionEmbeddings: 24, typeVocabularySize: 2))
        #expect(c.headDimension == 8)
    }

    @Test func acceptsTanhGELUAndDefaults() throws {
        let c = try load("{\(sizes),\"hidden_act\":\"gelu_new\"}")
        #expect(c.activation == .geluTanh)
        #expect(c.maxPositionEmbeddings == 512)
    }

    @Test func refusesOtherArchitectures() {
        #expect {
            try load("{\(sizes),\"model_type\":\"roberta\"}")
        } throws: { error in
            guard case InferenceError.unsupportedModel(let path, let problem) = error else { return false }
            return path.hasSuffix("config.json") && problem.contains("roberta")
        }
        #expect(throws: InferenceError.self) { try load("{\(sizes),\"hidden_act\":\"relu\"}") }
        #expect(throws: InferenceError.self) { try load("{\(sizes),\"position_embedding_type\":\"relative_key\"}") }
    }

    @Test func refusesInconsistentOrMissingSizes() {
        #expect(throws: InferenceError.self) { try load(#"{"vocab_size":30,"hidden_size":15,"num_hidden_layers":2,"num_attention_heads":2,"intermediate_size":32}"#) }
        #expect(throws: InferenceError.self) { try load(#"{"vocab_size":30,"hidden_size":16,"num_hidden_layers":0,"num_attention_heads":2,"intermediate_size":32}"#) }
        #expect(throws: InferenceError.self) { try load(#"{"hidden_size":16}"#) }
        #expect(throws: InferenceError.self) { try load("not json") }
    }

    @Test func missingFileIsNamed() {
        let url = URL(fileURLWithPath: "/nonexistent/config.json")
        #expect(throws: InferenceError.missingFile(path: url.path)) { try BertConfiguration(contentsOf: url) }
    }
}
