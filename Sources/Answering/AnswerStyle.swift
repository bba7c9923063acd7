/// How an answer is worded.
public enum AnswerStyle: String, Sendable, CaseIterable {
    /// Sentences that cite their sources as [n]: what a person reads.
    case sentences
    /// The shortest exact phrase that answers, no sentence: what the SQuAD evaluation scores.
    case short
}
