/// How an answer is worded.
public enum AnswerStyle: String, Sendable, CaseIterable {
    /// Sentences that cite their sources as [n]: what a person reads.
    case sentences
    /// The shortest exact phrase that answers, no sentence: what the SQuAD evaluation scores. The
    /// phrase is quoted from the sources: the model may only write text that appears in one of them.
    case short
}
