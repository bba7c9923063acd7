/// How relevant the best retrieved passages are to the question, by two measures that, unlike
/// BM25 scores, mean the same thing from one query to the next.
public struct Relevance: Sendable, Equatable {
    /// The best passage's cosine similarity to the question (dense search), when an encoder is ready.
    public var cosine: Double?
    /// The largest share of the question's content words that one candidate passage contains, 0...1.
    public var coverage: Double

    public init(cosine: Double?, coverage: Double) {
        self.cosine = cosine
        self.coverage = coverage
    }

    /// The coverage of `question` by the best of `passages`. Words match by their first five letters
    /// after a final "s" is dropped, a crude stem ("ends" finds "end"); Scripts/eval computes it the
    /// same way to calibrate.
    public static func coverage(of question: String, by passages: [String]) -> Double {
        let wanted = Set(ContentWords.of(question).map(stem))
        guard !wanted.isEmpty else { return 0 }
        var best = 0.0
        for passage in passages {
            let present = Set(ContentWords.of(passage).map(stem))
            best = max(best, Double(wanted.intersection(present).count) / Double(wanted.count))
        }
        return best
    }

    static func stem(_ word: String) -> String {
        let singular = word.count > 3 && word.hasSuffix("s") ? String(word.dropLast()) : word
        return String(singular.prefix(5))
    }
}

/// When Sotto says the documents do not hold the answer instead of letting the model guess.
public struct AbstentionPolicy: Sendable, Equatable {
    /// With an encoder: abstain when the best cosine is below this.
    public var minimumCosine: Double
    /// Without one (search by words only): abstain when coverage is below this.
    public var minimumCoverage: Double

    public init(minimumCosine: Double, minimumCoverage: Double) {
        self.minimumCosine = minimumCosine
        self.minimumCoverage = minimumCoverage
    }

    /// Calibrated by `Scripts/eval --calibrate-abstention` (all-MiniLM-L6-v2; docs/EVALUATION.md):
    /// the SQuAD public questions against questions about things the corpus does not hold.
    public static let calibrated = AbstentionPolicy(minimumCosine: 0.33, minimumCoverage: 0.34)

    /// Never abstains.
    public static let never = AbstentionPolicy(minimumCosine: -2, minimumCoverage: -1)

    public func shouldAbstain(_ relevance: Relevance) -> Bool {
        if let cosine = relevance.cosine { return cosine < minimumCosine }
        return relevance.coverage < minimumCoverage
    }
}
