public import Generation

/// A chat sent to the model as it is: no retrieval, no sources, no prompt of Sotto's (the
/// OpenAI-compatible endpoint's plain models). It then takes the same path as a grounded answer:
/// the queue, the time limit, cancellation when the client leaves.
extension PreparedAnswer {
    public static func direct(_ messages: [ChatMessage], options: GenerationOptions) -> PreparedAnswer {
        var prepared = PreparedAnswer(
            query: messages.last { $0.role == .user }?.content ?? "", sources: [], messages: messages, options: options,
            relevance: nil, isAbstaining: false, retrievalSeconds: 0)
        // Nothing to hold the answer to: the citation check must not decline a plain chat.
        prepared.allowsDeclining = false
        return prepared
    }
}
