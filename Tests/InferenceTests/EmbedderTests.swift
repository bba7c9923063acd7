import Foundation
import Testing
@testable import Inference

@Suite struct EmbedderTests {
    @Test func tinyModelLoadsAndDescribesItself() throws {
        let embedder = try Embedder(modelDirectory: Fixtures.tinyBERT, threads: 1, arithmetic: .float)
        #expect(embedder.dimension == 16)
        #expect(embedder.maxSequenceLength == 16)
        #expect(embedder.modelName == "tiny-bert")
        // sha256sum Tests/InferenceTests/Fixtures/tiny-bert/model.safetensors
        #expect(embedder.fingerprint == "tiny-bert@sha256:45a5cea28474a17b67911320faeaee6d38013cb05a5b95519aa5ee64e686633b")
    }

    @Test func tinyModelEmbedsTokenIDsInInputOrder() throws {
        let embedder = try Embedder(modelDirectory: Fixtures.tinyBERT, threads: 1, arithmetic: .float)
        let reference = try Fixtures.tinyReference()
        // Batches of 3 after sorting by length: the result must still follow the input order.
        let vectors = try embedder.embed(tokenIDs: reference.sequences, batchSize: 3)
        for (vector, expected) in zip(vectors, reference.mean) {
            #expect(maxAbsoluteDifference(vector, expected) < 1e-5)
        }
    }

    @Test func tinyModelEmbedsText() throws {
        let embedder = try Embedder(modelDirectory: Fixtures.tinyBERT, threads: 1, arithmetic: .float)
        let reference = try Fixtures.tinyReference()
        // "the cat dog sat on mat ." is reference sequence 2: [CLS] 5 7 8 9 10 11 29 [SEP].
        let vectors = try embedder.embed(["The cat dog sat on mat."])
        #expect(maxAbsoluteDifference(try #require(vectors.first), reference.mean[2]) < 1e-5)
        #expect(embedder.tokenCount("The cat dog sat on mat.") == 7)
    }

    @Test func prefixesApplyByRole() throws {
        let plain = try Embedder(modelDirectory: Fixtures.tinyBERT, threads: 1, arithmetic: .float)
        let prefixed = try Embedder(modelDirectory: Fixtures.tinyBERT, threads: 1, prefixes: EmbeddingPrefixes(query: "hello ", passage: ""), arithmetic: .float)
        let query = try prefixed.embed(["cat"], role: .query)
        #expect(maxAbsoluteDifference(query[0], try plain.embed(["hello cat"])[0]) < 1e-6)
        #expect(maxAbsoluteDifference(try prefixed.embed(["cat"], role: .passage)[0], try plain.embed(["cat"])[0]) < 1e-6)
        #expect(maxAbsoluteDifference(query[0], try plain.embed(["cat"])[0]) > 1e-3)
    }

    @Test func missingFilesAreNamed() throws {
        let directory = try Fixtures.copyOfTinyBERT()
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        try FileManager.default.removeItem(at: directory.appendingPathComponent("tokenizer.json"))
        // vocab.txt alone is enough; without it too, the error names tokenizer.json.
        #expect(try Embedder(modelDirectory: directory).embed(["cat"]).first?.count == 16)
        try FileManager.default.removeItem(at: directory.appendingPathComponent("vocab.txt"))
        #expect(throws: InferenceError.missingFile(path: directory.appendingPathComponent("tokenizer.json").path)) {
            try Embedder(modelDirectory: directory)
        }
        try FileManager.default.removeItem(at: directory.appendingPathComponent("model.safetensors"))
        #expect(throws: InferenceError.missingFile(path: directory.appendingPathComponent("model.safetensors").path)) {
            try Embedder(modelDirectory: directory)
        }
        try FileManager.default.removeItem(at: directory.appendingPathComponent("config.json"))
        #expect(throws: InferenceError.missingFile(path: directory.appendingPathComponent("config.json").path)) {
            try Embedder(modelDirectory: directory)
        }
    }

    @Test func truncatedWeightsAreAnErrorNotACrash() throws {
        let directory = try Fixtures.copyOfTinyBERT()
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let url = directory.appendingPathComponent("model.safetensors")
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count - 100).write(to: url)
        #expect {
            try Embedder(modelDirectory: directory)
        } throws: { error in
            guard case InferenceError.malformedFile(let path, let problem) = error else { return false }
            return path == url.path && problem.contains("truncated")
        }
    }
}
