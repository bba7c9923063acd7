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
    /// Answers a chat (system, user, earlier turns) on the calling thread, the answer service's: hands
    /// `emit` `.prefilled`, the text as it comes, then `.finished` with why it stopped. Asks
    /// `shouldStop` between tokens; once it says yes, ends with `.finished` whose reason is `.interrupted`.
    func generate(
        _ messages: [ChatMessage], options: GenerationOptions, shouldStop: () -> Bool, emit: (GenerationEvent) -> Void
    ) throws
    /// Forgets any prompt kept for reuse (documents it quotes may just have been forgotten); at the
    /// latest when the answer under way ends.
    func forgetCachedPrompt()
}

extension AnswerModel {
    /// A model that keeps no prompt has none to forget.
    public func forgetCachedPrompt() {}
}
