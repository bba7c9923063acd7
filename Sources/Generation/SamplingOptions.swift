/// How the next token is chosen, with llama.cpp's meanings and defaults (except temperature: 0, greedy).
public struct SamplingOptions: Sendable, Equatable {
    /// 0 picks the most likely token (greedy); above 0 samples, flatter as it grows.
    public var temperature: Float = 0
    /// Keep the k most likely tokens (0: all).
    public var topK: Int = 40
    /// Keep the most likely tokens whose probabilities add up to p (1: all).
    public var topP: Float = 0.95
    /// Drop tokens less likely than minP times the most likely one (0: none).
    public var minP: Float = 0.05
    /// Divide positive logits (multiply negative ones) of recently seen tokens by this (1: off).
    public var repeatPenalty: Float = 1
    /// How many recent tokens the repetition penalty looks at.
    public var repeatLastN: Int = 64
    /// Seed of the random numbers (the same seed gives the same text).
    public var seed: UInt64 = 0

    public init(
        temperature: Float = 0, topK: Int = 40, topP: Float = 0.95, minP: Float = 0.05,
        repeatPenalty: Float = 1, repeatLastN: Int = 64, seed: UInt64 = 0
    ) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repeatPenalty = repeatPenalty
        self.repeatLastN = repeatLastN
        self.seed = seed
    }

    /// Throws when a value is out of range, naming it.
    public func validate() throws(GenerationError) {
        guard temperature >= 0, temperature.isFinite else { throw .invalidOption("temperature must be 0 or more (got \(temperature))") }
        guard topK >= 0 else { throw .invalidOption("top-k must be 0 or more (got \(topK))") }
        guard topP > 0, topP <= 1 else { throw .invalidOption("top-p must be in (0, 1] (got \(topP))") }
        guard minP >= 0, minP <= 1 else { throw .invalidOption("min-p must be in [0, 1] (got \(minP))") }
        guard repeatPenalty > 0, repeatPenalty.isFinite else { throw .invalidOption("the repeat penalty must be above 0 (got \(repeatPenalty))") }
        guard repeatLastN >= 0 else { throw .invalidOption("the repeat window must be 0 or more (got \(repeatLastN))") }
    }
}
