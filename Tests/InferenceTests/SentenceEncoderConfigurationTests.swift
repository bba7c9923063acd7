import Foundation
import Testing
@testable import Inference

@Suite struct SentenceEncoderConfigurationTests {
    private let bert = BertConfiguration(vocabularySize: 40, hiddenSize: 16, layerCount: 2, headCount: 2,
                                         intermediateSize: 32, maxPositionEmbeddings: 24)

    @Test func readsTheTinyModel() throws {
        let s = try SentenceEncoderConfiguration(directory: Fixtures.tinyBERT, bert: bert)
        #expect(s == SentenceEncoderConfiguration(pooling: .mean, maxSequenceLength: 16, normalizes: true))
    }

    @Test func clsPoolingWithoutNormalizeModule() throws {
        let directory = try Fixtures.copyOfTinyBERT()
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        try Data(#"{"pooling_mode_cls_token":true,"pooling_mode_mean_tokens":false}"#.utf8)
            .write(to: directory.appendingPathComponent("1_Pooling/config.json"))
        try Data(#"[{"path":"","type":"sentence_transformers.models.Transformer"},{"path":"1_Pooling","type":"sentence_transformers.models.Pooling"}]"#.utf8)
            .write(to: directory.appendingPathComponent("modules.json"))
        let s = try SentenceEncoderConfiguration(directory: directory, bert: bert)
        #expect(s.pooling == .cls)
        #expect(!s.normalizes)
    }

    @Test func defaultsWithoutSentenceTransformersFiles() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let s = try SentenceEncoderConfiguration(directory: directory, bert: bert)
        #expect(s == SentenceEncoderConfiguration(pooling: .mean, maxSequenceLength: 24, normalizes: true))
    }

    @Test func refusesUnsupportedPoolingAndBadWindow() throws {
        let directory = try Fixtures.copyOfTinyBERT()
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let pooling = directory.appendingPathComponent("1_Pooling/config.json")
        try Data(#"{"pooling_mode_max_tokens":true}"#.utf8).write(to: pooling)
        #expect {
            try SentenceEncoderConfiguration(directory: directory, bert: bert)
        } throws: { error in
            guard case InferenceError.unsupportedModel(let path, _) = error else { return false }
            return path == pooling.path
        }
        try Data(#"{"pooling_mode_mean_tokens":true}"#.utf8).write(to: pooling)
        try Data(#"{"max_seq_length":100}"#.utf8).write(to: directory.appendingPathComponent("sentence_bert_config.json"))
        #expect(throws: InferenceError.self) { try SentenceEncoderConfiguration(directory: directory, bert: bert) }
    }
}
