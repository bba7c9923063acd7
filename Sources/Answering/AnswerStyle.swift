/// How an answer is worded.
public enum AnswerStyle: String, Sendable, CaseIterable {
    /// Sentences that cite their sources as [n]: what a person reads.
    case sentences
    /// The shortest phrase that answers, copied word for word from a source, no sentence: what the
    /// SQuAD evaluation scores.
    case short
}
