public import Generation

/// The decoder as answering needs it: the Generation module's `Generator` (see `Generator+AnswerModel`)
/// or a stand-in (`EchoAnswerModel`), so that answering is testable without weights. It speaks the
/// decoder's own types, chat messages in and `GenerationEvent`s out, so nothing converts them on the way.
public protocol AnswerModel: Sendable {
    /// The name shown to users (`qwen2.5-coder-1.5b`).
    var name: String { get }
    /// The model's context window as configured, in tokens.
    var contextTokens: Int { get }
    /// Tokens `text` takes in this model's vocabulary; used to fit sources into the window.
    func countTokens(_ text: String) -> Int
    /// Streams the answer to a chat (system, user, previous turns): `.prefilled`, text, then `.finished`
    /// with why it stopped. Generation stops within one token once the consumer cancels or drops the stream.
    func generate(_ messages: [ChatMessage], options: GenerationOptions) -> AsyncThrowingStream<GenerationEvent, any Error>
}
