import Foundation

/// The result of a perplexity run.
public struct PerplexityResult: Sendable, Equatable {
    /// Chunks of `contextLength` tokens scored.
    public var chunkCount: Int
    /// Tokens whose probability was scored (the second half of each chunk, less one).
    public var scoredTokens: Int
    /// exp(mean negative log-likelihood).
    public var perplexity: Double
    /// The estimate's standard error, as llama-perplexity prints after "±".
    public var standardError: Double
    /// The running estimate after each chunk (llama-perplexity's `[1]…,[2]…` line).
    public var runningPerplexity: [Double]
    public var seconds: Double
}

/// Perplexity exactly as llama-perplexity computes it: the text is tokenized once (BOS first when
/// the model adds one), cut into whole chunks of `contextLength` tokens; each chunk runs from an empty
/// cache with its first token replaced by BOS (when the model adds one), and only the second half of
/// each chunk is scored, so every scored token has at least half a context before it.
public enum Perplexity {
    public static func measure(
        text: String, session: DecoderSession, maxChunks: Int? = nil, progress: (Int, Int, Double) -> Void = { _, _, _ in }
    ) throws(GenerationError) -> PerplexityResult {
        let vocabulary = session.model.vocabulary
        let tokens = vocabulary.encodePrompt(text)
        return try measure(tokens: tokens, session: session, maxChunks: maxChunks, progress: progress)
    }

    /// - Parameters:
    ///   - maxChunks: score only the first chunks (llama-perplexity's `--chunks`).
    ///   - progress: called after each chunk with (chunk index, chunk count, running perplexity).
    public static func measure(
        tokens: [Int32], session: DecoderSession, maxChunks: Int? = nil, progress: (Int, Int, Double) -> Void = { _, _, _ in }
    ) throws(GenerationError) -> PerplexityResult {
        let n = session.cache.capacity
        guard n >= 4 else { throw .invalidOption("the context must be at least 4 tokens for perplexity (got \(n))") }
        guard tokens.count >= 2 * n else { throw .textTooShort(tokens: tokens.count, needed: 2 * n) }
        let vocabulary = session.model.vocabulary
        let chunks = min(tokens.count / n, max(maxChunks ?? .max, 1))
        let first = n / 2
        var nll = 0.0, nll2 = 0.0
        var count = 0
        var running: [Double] = []
        let clock = ContinuousClock()
        let start = clock.now
        for chunk in 0..<chunks {
            var input = Array(tokens[(chunk * n)..<((chunk + 1) * n)])
            if vocabulary.addsBOS, let bos = vocabulary.bosTokenID { input[0] = bos }
            session.reset()
            // Logits after token i predict token i + 1 of the original sequence.
            try session.evaluate(input, logitsFrom: first) { i, logits in
                guard i < n - 1 else { return }
                let target = Int(tokens[chunk * n + i + 1])
                let v = -logSoftmax(logits, at: target)
                nll += v
                nll2 += v * v
                count += 1
            }
            let ppl = Foundation.exp(nll / Double(count))
            running.append(ppl)
            progress(chunk + 1, chunks, ppl)
        }
        let mean = nll / Double(count)
        var variance = nll2 / Double(count) - mean * mean
        variance = variance > 0 && count > 1 ? (variance / Double(count - 1)).squareRoot() : 0
        let ppl = Foundation.exp(mean)
        return PerplexityResult(
            chunkCount: chunks, scoredTokens: count, perplexity: ppl, standardError: variance * ppl,
            runningPerplexity: running, seconds: (clock.now - start).seconds)
    }

    /// log softmax(logits)[target], with llama-perplexity's rounding (Float max, Double sum of expf).
    static func logSoftmax(_ logits: UnsafeBufferPointer<Float>, at target: Int) -> Double {
        var maximum = logits[0]
        for l in logits { maximum = max(maximum, l) }
        var sum = 0.0
        for l in logits { sum += Double(Foundation.exp(l - maximum)) }
        return Double(logits[target] - maximum) - Foundation.log(sum)
    }
}
