extension CitationVerifier {
    /// `outcome` with its citations replaced by the verified ones (each with its quote) and the
    /// check attached; declined, with `Answerer.ungroundedText` after the model's words, when no
    /// source holds its central claim, or the model itself said the sources do not hold the answer
    /// (then the closest passages follow as after abstaining), and the request allows declining.
    public func verified(_ outcome: AnswerOutcome, prepared: PreparedAnswer) -> AnswerOutcome {
        let check = check(outcome.answer, question: prepared.query, sources: prepared.sources, style: prepared.style)
        var result = outcome
        result.check = check
        result.citations = check.citations.map { Citation(number: $0.number, source: $0.source, quote: $0.quote) }
        if !check.isGrounded || check.isRefusal, prepared.allowsDeclining {
            result.isDeclined = true
            result.answer += "\n\n" + Answerer.ungroundedText
        }
        return result
    }
}
