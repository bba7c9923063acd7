/// What a generation streams: text as it is produced, then one summary.
public enum GenerationEvent: Sendable, Equatable {
    /// The prompt has been run through the model (sent once, before any text).
    case prefilled(promptTokens: Int, seconds: Double)
    /// Newly generated text (whole UTF-8 characters, never empty).
    case text(String)
    /// The last event: counts and timings.
    case finished(GenerationSummary)
}

/// Why a generation ended.
public enum StopReason: String, Sendable, Equatable {
    /// The model produced an end-of-generation token.
    case endOfGeneration
    /// `maxTokens` were generated.
    case maxTokens
    /// The text reached one of the stop strings (which is not part of the output).
    case stopString
    /// The caller asked it to stop (an answer's time limit) before the model ended.
    case interrupted
}

/// Counts and timings of one generation.
public struct GenerationSummary: Sendable, Equatable {
    public var promptTokens: Int
    /// Prompt tokens found in the KV cache from the generation before (a shared prefix), not run again.
    public var reusedPromptTokens: Int
    public var generatedTokens: Int
    /// Time to run the prompt through the model (prefill).
    public var prefillSeconds: Double
    /// Time of the forward passes after the prompt (decode).
    public var decodeSeconds: Double
    /// Forward passes after the prompt: one token each, or one token and its draft when speculating
    /// (the last generated token is never fed back).
    public var decodeEvaluations: Int
    public var stopReason: StopReason
    /// Tokens chosen from the decode passes' logits (with plain decoding, one per pass).
    public var decodedTokens: Int
    /// Tokens proposed by speculation, and how many of them the model kept.
    public var draftedTokens: Int
    public var acceptedDraftTokens: Int

    public var prefillTokensPerSecond: Double { prefillSeconds > 0 ? Double(promptTokens) / prefillSeconds : 0 }
    public var decodeTokensPerSecond: Double { decodeSeconds > 0 ? Double(decodedTokens) / decodeSeconds : 0 }

    public init(
        promptTokens: Int, generatedTokens: Int, prefillSeconds: Double, decodeSeconds: Double,
        decodeEvaluations: Int, stopReason: StopReason, decodedTokens: Int? = nil, draftedTokens: Int = 0,
        acceptedDraftTokens: Int = 0, reusedPromptTokens: Int = 0
    ) {
        self.promptTokens = promptTokens
        self.reusedPromptTokens = reusedPromptTokens
        self.generatedTokens = generatedTokens
        self.prefillSeconds = prefillSeconds
        self.decodeSeconds = decodeSeconds
        self.decodeEvaluations = decodeEvaluations
        self.stopReason = stopReason
        self.decodedTokens = decodedTokens ?? decodeEvaluations
        self.draftedTokens = draftedTokens
        self.acceptedDraftTokens = acceptedDraftTokens
    }
}
