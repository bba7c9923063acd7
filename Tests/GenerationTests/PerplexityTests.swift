import Foundation
import Testing
@testable import Generation

struct PerplexityTests {
    @Test func scoresTheSecondHalfOfEachChunk() throws {
        let model = try TinyModel.model()
        let tokens = (0..<70).map { Int32(($0 * 31 + 7) % 256) }
        let session = try DecoderSession(model: model, contextLength: 16, threads: 1)
        let result = try Perplexity.measure(tokens: tokens, session: session)
        // 70 tokens: 4 whole chunks of 16; in each, logits at 8…14 predict tokens 9…15.
        #expect(result.chunkCount == 4)
        #expect(result.scoredTokens == 4 * 7)
        #expect(result.runningPerplexity.count == 4)

        // The same by hand.
        let check = try DecoderSession(model: model, contextLength: 16, threads: 1)
        var nll = 0.0
        for chunk in 0..<4 {
            check.reset()
            let input = Array(tokens[(chunk * 16)..<(chunk * 16 + 16)])
            for (i, token) in input.enumerated() {
                let logits = Array(try check.evaluate([token]))
                guard i >= 8, i < 15 else { continue }
                let maximum = logits.max()!
                let sum = logits.reduce(0.0) { $0 + Double(Foundation.exp($1 - maximum)) }
                nll -= Double(logits[Int(input[i + 1])] - maximum) - Foundation.log(sum)
            }
        }
        let expected = Foundation.exp(nll / 28)
        #expect(abs(result.perplexity - expected) / expected < 1e-4)
        #expect(result.runningPerplexity.last == result.perplexity)
        #expect(result.standardError > 0)

        let firstTwo = try Perplexity.measure(tokens: tokens, session: session, maxChunks: 2)
        #expect(firstTwo.chunkCount == 2)
        #expect(abs(firstTwo.perplexity - result.runningPerplexity[1]) < 1e-9)
    }

    @Test func needsTwoContextsOfText() throws {
        let session = try DecoderSession(model: try TinyModel.model(), contextLength: 16, threads: 1)
        #expect(throws: GenerationError.textTooShort(tokens: 31, needed: 32)) {
            _ = try Perplexity.measure(tokens: Array(repeating: 65, count: 31), session: session)
        }
    }

    @Test func logSoftmaxMatchesTheDefinition() {
        let logits: [Float] = [1, 2, 3]
        let value = logits.withUnsafeBufferPointer { Perplexity.logSoftmax($0, at: 2) }
        let expected = 3 - Foundation.log(Foundation.exp(1.0) + Foundation.exp(2.0) + Foundation.exp(3.0))
        #expect(abs(value - expected) < 1e-6)
    }
}
