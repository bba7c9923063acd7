import Foundation
import Testing
@testable import Generation

struct DecoderSessionTests {
    static let prompt: [Int32] = [72, 101, 108, 108, 111, 32, 119, 111, 114, 108, 100, 33, 10, 84, 104, 101]

    @Test(arguments: ["llama", "qwen2"])
    func batchPrefillMatchesTokenByTokenDecode(architecture: String) throws {
        let model = try TinyModel.model(architecture: architecture)
        let batch = try DecoderSession(model: model, contextLength: 64, threads: 2)
        var batchLogits: [[Float]] = []
        try batch.evaluate(Self.prompt, logitsFrom: 0) { _, logits in batchLogits.append(Array(logits)) }
        #expect(batchLogits.count == Self.prompt.count)
        #expect(batch.position == Self.prompt.count)

        let single = try DecoderSession(model: model, contextLength: 64, threads: 1)
        for (i, token) in Self.prompt.enumerated() {
            let logits = Array(try single.evaluate([token]))
            let difference = zip(logits, batchLogits[i]).map { abs($0 - $1) }.max() ?? .infinity
            #expect(difference < 1e-4, "token \(i): \(difference)")
        }
        // Logits vary with the input, so the comparison above is not vacuous.
        #expect(batchLogits[0] != batchLogits[1])
    }

    @Test func prefillInChunksMatchesOnePass() throws {
        let model = try TinyModel.model()
        let tokens = (0..<40).map { Int32(($0 * 37) % 256) }
        let whole = try DecoderSession(model: model, contextLength: 64, threads: 2)
        let expected = Array(try whole.evaluate(tokens))
        let pieces = try DecoderSession(model: model, contextLength: 64, threads: 2)
        _ = try pieces.evaluate(Array(tokens[0..<13]))
        _ = try pieces.evaluate(Array(tokens[13..<31]))
        let logits = Array(try pieces.evaluate(Array(tokens[31...])))
        #expect(zip(logits, expected).allSatisfy { abs($0 - $1) < 1e-4 })
        #expect(pieces.tokens == tokens)
    }

    @Test func truncateReusesThePrefix() throws {
        let model = try TinyModel.model()
        let session = try DecoderSession(model: model, contextLength: 32, threads: 1)
        let expected = Array(try session.evaluate([1, 2, 3, 4]))
        _ = try session.evaluate([9, 9])
        session.truncate(to: 3)
        #expect(session.tokens == [1, 2, 3])
        let logits = Array(try session.evaluate([4]))
        #expect(zip(logits, expected).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test func contextOverflowIsAnError() throws {
        let model = try TinyModel.model()
        let session = try DecoderSession(model: model, contextLength: 8, threads: 1)
        _ = try session.evaluate([1, 2, 3, 4, 5, 6])
        #expect(throws: GenerationError.contextOverflow(needed: 9, capacity: 8)) {
            _ = try session.evaluate([7, 8, 9])
        }
        // Nothing was written: the session still works.
        #expect(session.position == 6)
        _ = try session.evaluate([7, 8])
        #expect(session.position == 8)
        let error = GenerationError.contextOverflow(needed: 9, capacity: 8)
        #expect(error.message.contains("8 tokens") && error.message.contains("9"))
    }

    @Test func contextLongerThanTrainedIsRefused() throws {
        let model = try TinyModel.model()
        #expect(throws: GenerationError.contextTooLong(requested: 512, trained: 256)) {
            _ = try DecoderSession(model: model, contextLength: 512, threads: 1)
        }
        // Without a length: the default 8,192, capped by the trained 256.
        #expect(try DecoderSession(model: model, threads: 1).cache.capacity == 256)
    }

    @Test func tokenOutsideTheVocabularyIsAnError() throws {
        let session = try DecoderSession(model: try TinyModel.model(), contextLength: 8, threads: 1)
        #expect(throws: GenerationError.self) { _ = try session.evaluate([Int32(TinyModel.vocabulary.count)]) }
        #expect(throws: GenerationError.self) { _ = try session.evaluate([-1]) }
    }

    @Test func hugeKVCacheFailsWithAMessage() throws {
        let model = try TinyModel.model()
        var configuration = model.configuration
        configuration.layerCount = 1 << 20
        configuration.kvHeadCount = 1 << 12  // 2^47 floats: more than any machine has
        #expect(throws: GenerationError.self) { _ = try KVCache(configuration: configuration, capacity: 1 << 12) }
        configuration.layerCount = Int.max / 2
        #expect(throws: GenerationError.self) { _ = try KVCache(configuration: configuration, capacity: 1 << 12) }
    }
}
