/// What to generate from.
public enum GenerationPrompt: Sendable, Equatable {
    /// Plain text, continued as is (BOS first when the model wants it; special tokens stay text).
    case text(String)
    /// A conversation rendered with the model's chat template, ending with the assistant's turn.
    case chat([ChatMessage])
    /// Token ids, used as given.
    case tokens([Int32])
}

/// Limits and sampling of one generation.
public struct GenerationOptions: Sendable, Equatable {
    /// At most this many tokens are generated.
    public var maxTokens: Int = 256
    public var sampling = SamplingOptions()
    /// Generation stops before any of these strings would be emitted.
    public var stopStrings: [String] = []
    /// Keep going past end-of-generation tokens (benchmarks generate exactly `maxTokens`).
    public var ignoresEndOfGeneration = false
    /// Draft tokens by prompt lookup and check them in one pass (the same output, sooner); nil
    /// decodes one token per pass, as benchmarks of plain decoding do.
    public var speculation: Speculation? = Speculation()

    public init(
        maxTokens: Int = 256, sampling: SamplingOptions = SamplingOptions(), stopStrings: [String] = [],
        ignoresEndOfGeneration: Bool = false, speculation: Speculation? = Speculation()
    ) {
        self.maxTokens = maxTokens
        self.sampling = sampling
        self.stopStrings = stopStrings
        self.ignoresEndOfGeneration = ignoresEndOfGeneration
        self.speculation = speculation
    }
}
