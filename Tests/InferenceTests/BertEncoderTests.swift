import Foundation
import Testing
@testable import Inference

/// The Swift forward pass against Scripts/make-tiny-bert's numpy forward pass.
@Suite struct BertEncoderTests {
    private let encoder: BertEncoder
    private let reference: Fixtures.TinyReference

    init() throws {
        encoder = try BertEncoder(modelDirectory: Fixtures.tinyBERT, kernel: .chosen(for: .float))
        reference = try Fixtures.tinyReference()
    }

    @Test func meanPooledVectorsMatchNumpyOneByOne() throws {
        let workspace = EncoderWorkspace(hiddenSize: 16, intermediateSize: 32)
        for (ids, expected) in zip(reference.sequences, reference.mean) {
            let vector = try #require(try encoder.encode([ids], workspace: workspace).first)
            #expect(maxAbsoluteDifference(vector, expected) < 1e-5, "sequence \(ids)")
        }
    }

    @Test func batchedVectorsMatchNumpy() throws {
        let workspace = EncoderWorkspace(hiddenSize: 16, intermediateSize: 32)
        let vectors = try encoder.encode(reference.sequences, workspace: workspace)
        #expect(vectors.count == reference.mean.count)
        for (vector, expected) in zip(vectors, reference.mean) {
            #expect(maxAbsoluteDifference(vector, expected) < 1e-5)
        }
    }

    @Test func clsPoolingWithoutNormalisationMatchesNumpy() throws {
        var sentence = encoder.sentence
        sentence.pooling = .cls
        sentence.normalizes = false
        let cls = BertEncoder(configuration: encoder.configuration, sentence: sentence, weights: encoder.weights)
        let vectors = try cls.encode(reference.sequences, workspace: EncoderWorkspace(hiddenSize: 16, intermediateSize: 32))
        for (vector, expected) in zip(vectors, reference.cls) {
            #expect(maxAbsoluteDifference(vector, expected) < 1e-5)
        }
    }

    @Test func workspaceReuseAcrossBatchSizesGivesTheSameVectors() throws {
        let workspace = EncoderWorkspace(hiddenSize: 16, intermediateSize: 32)
        let big = try encoder.encode(reference.sequences, workspace: workspace)
        let small = try encoder.encode([reference.sequences[1]], workspace: workspace)
        // sgemm may block rows differently by position in the batch: equal to rounding, not bitwise.
        #expect(maxAbsoluteDifference(small[0], big[1]) < 1e-6)
        #expect(small[0] != big[0])
    }

    @Test func refusesBadInput() {
        let workspace = EncoderWorkspace(hiddenSize: 16, intermediateSize: 32)
        #expect(throws: InferenceError.self) { try encoder.encode([[]], workspace: workspace) }
        #expect(throws: InferenceError.self) { try encoder.encode([[2, 40, 3]], workspace: workspace) }
        #expect(throws: InferenceError.self) { try encoder.encode([[2, -1, 3]], workspace: workspace) }
        #expect(throws: InferenceError.self) { try encoder.encode([[Int32](repeating: 5, count: 17)], workspace: workspace) }
        #expect((try? encoder.encode([], workspace: workspace))?.isEmpty == true)
    }
}
