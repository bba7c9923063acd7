public import Generation

/// The real decoder answers as it is: its stream goes to the answer service untouched.
extension Generator: AnswerModel {
    public var name: String { model.name }
    public var contextTokens: Int { contextLength }

    public func countTokens(_ text: String) -> Int {
        model.vocabulary.tokenizer.encode(text).count
    }

    public func generate(_ messages: [ChatMessage], options: GenerationOptions) -> AsyncThrowingStream<GenerationEvent, any Error> {
        generate(prompt: .chat(messages), options: options)
    }
}
