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

/// When Sotto says the documents do not hold the answer instead of letting the model guess: when
/// either signal is low. The two fail on different questions (a question about another Super Bowl
/// shares its words with the indexed one; a paraphrase shares none but its meaning), so together they
/// catch more than either at the same share of answerable questions refused (docs/EVALUATION.md,
/// "Abstention signals": 76 % against 61 % for the cosine alone, each refusing under 2 %).
public struct AbstentionPolicy: Sendable, Equatable {
    /// With an encoder: abstain when the best cosine is below this.
    public var minimumCosine: Double
    /// Abstain when coverage is below this (with or without an encoder).
    public var minimumCoverage: Double

    public init(minimumCosine: Double, minimumCoverage: Double) {
        self.minimumCosine = minimumCosine
        self.minimumCoverage = minimumCoverage
    }

    /// Calibrated by `Scripts/eval --held-out 4 --calibrate-signals` (all-MiniLM-L6-v2; docs/EVALUATION.md):
    /// questions of 20 indexed SQuAD articles against those of 4 left out and Scripts/eval-out-of-corpus.txt,
    /// the most caught refusing at most 2 % of answerable ones. Without an encoder, coverage alone
    /// (`--calibrate-abstention`) chose 0.34.
    public static let calibrated = AbstentionPolicy(minimumCosine: 0.30, minimumCoverage: 0.35)

    /// Never abstains.
    public static let never = AbstentionPolicy(minimumCosine: -2, minimumCoverage: -1)

    public func shouldAbstain(_ relevance: Relevance) -> Bool {
        if let cosine = relevance.cosine, cosine < minimumCosine { return true }
        return relevance.coverage < minimumCoverage
    }
}
