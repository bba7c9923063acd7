public import Generation

/// The real decoder answers as it is: its events go to the answer stream untouched.
extension Generator: AnswerModel {
    public var name: String { model.name }
    public var contextTokens: Int { contextLength }

    public func countTokens(_ text: String) -> Int {
        model.vocabulary.tokenizer.encode(text).count
    }

    public func generate(
        _ messages: [ChatMessage], options: GenerationOptions, shouldStop: () -> Bool, emit: (GenerationEvent) -> Void
    ) throws {
        try generate(prompt: .chat(messages), options: options, shouldStop: shouldStop, emit: emit)
    }
}
