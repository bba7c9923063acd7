/// The check after generation: splits the answer into sentences and finds, for each, the sources
/// that hold its words and numbers; corrects a citation that points at the wrong source, adds the
/// missing one to a sentence one source clearly holds, and marks the sentences no source holds.
///
/// Support is lexical: the share of a sentence's content words (compared by stem: `keys`) that a few consecutive sentences of a source contain, each word weighted by what it
/// tells apart. Every retrieved source tends to hold the question's own words, so those count for
/// little; the words the answer adds (a name, a date) decide, and they must stand together in the
/// source, not be scattered over it ("Tesla moved to Pittsburgh in 1880" is not held by an article
/// that names Pittsburgh in one paragraph and 1880 in another). A number, and a name the answer adds,
/// must be in those sentences as written; of the names the answer repeats from the question, one must
/// be in the source, its file name or its section (so "the river that flows through Budapest is the Purus Arch" is not held by the Amazon
/// article). A short answer is one phrase: all its words must be held (`IndexedSource.phraseSupport`).
/// Fast: a few milliseconds for five sources.
public struct CitationVerifier: Sendable {
    /// Weighted share of a sentence's words a source must hold to support it (sentences style).
    public var minimumSupport: Double
    /// A cited source stays cited while it is within this of the best source's support.
    public var keepWithin: Double
    /// The weight of a word the question already has; the answer's own words weigh 1.
    public var questionWordWeight: Double

    /// How many consecutive sentences of a source must hold a sentence's words together.
    public var span: Int

    public init(minimumSupport: Double = 0.6, keepWithin: Double = 0.25, questionWordWeight: Double = 0.25, span: Int = 3) {
        self.minimumSupport = minimumSupport
        self.keepWithin = keepWithin
        self.questionWordWeight = questionWordWeight
        self.span = span
    }

    /// Checks `answer` (as the model wrote it) against the sources it was given.
    public func check(_ answer: String, question: String, sources: [AnswerSource], style: AnswerStyle) -> AnswerCheck {
        let started = ContinuousClock.now
        var cache = KeyCache()
        let questionKeys = cache.keySet(of: question)
        let questionNames = Set(ContentWords.names(in: question).flatMap { cache.keys($0) })
        var indexed: [IndexedSource] = []
        for source in sources { indexed.append(IndexedSource(source, span: span, cache: &cache)) }
        let bytes = Array(answer.utf8)
        var sentences: [CheckedSentence] = []
        var quotes: [Int: Range<Int>] = [:]
        var order: [Int] = []
        var refuses = false
        // A short answer is one phrase, all of whose words must be in one source (`phraseSupport`).
        let threshold = style == .short ? 0.999 : minimumSupport
        for range in SentenceSplitter.ranges(in: answer, lineBreaks: true) {
            let text = String(decoding: bytes[range], as: UTF8.self)
            let cited = Citations.numbers(in: text)
            let keywords = Self.keywords(of: Citations.removingMarkers(from: text), questionKeys: questionKeys, questionNames: questionNames, weight: questionWordWeight, cache: &cache)
            let isRefusal = Self.isRefusal(text)
            if isRefusal { refuses = true }
            let isClaim = keywords.contains { $0.isNew } && !isRefusal
            guard isClaim else {
                sentences.append(CheckedSentence(range: range, cited: cited, verified: [], isSupported: true, isClaim: false))
                continue
            }
            let scores = indexed.map { style == .short ? $0.phraseSupport(for: keywords) : $0.support(for: keywords) }
            var best: Int?
            for index in scores.indices where best.map({ scores[index] > scores[$0] }) ?? true { best = index }
            let bestScore = best.map { scores[$0] } ?? 0
            let kept = indexed.indices.filter { index in
                cited.contains(indexed[index].source.number) && scores[index] >= threshold && scores[index] >= bestScore - keepWithin
            }
            let verifiedIndices = !kept.isEmpty ? kept : (bestScore >= threshold ? best.map { [$0] } ?? [] : [])
            for index in verifiedIndices {
                let number = indexed[index].source.number
                if quotes[number] == nil {
                    quotes[number] = indexed[index].quote(for: keywords)
                    order.append(number)
                }
            }
            sentences.append(CheckedSentence(
                range: range, cited: cited, verified: verifiedIndices.map { indexed[$0].source.number },
                isSupported: !verifiedIndices.isEmpty, isClaim: true))
        }
        let byNumber = Dictionary(sources.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
        let citations = order.compactMap { number in
            byNumber[number].map { VerifiedCitation(number: number, source: $0, quote: quotes[number] ?? 0..<0) }
        }
        return AnswerCheck(
            sentences: sentences, citations: citations, isGrounded: Self.isGrounded(sentences),
            isRefusal: refuses && !sentences.contains { $0.isClaim && $0.isSupported },
            seconds: Answerer.seconds(since: started))
    }

    /// The central claim is the first one; an answer is grounded unless that claim is held by no
    /// source and neither are most of the others. An answer that claims nothing (a refusal) is.
    static func isGrounded(_ sentences: [CheckedSentence]) -> Bool {
        let claims = sentences.filter(\.isClaim)
        guard let first = claims.first else { return true }
        if first.isSupported { return true }
        return claims.filter(\.isSupported).count * 2 > claims.count
    }

    // MARK: - Words

    struct Keyword: Hashable {
        /// The word's `keys`: it is in a text whose keys hold any of them.
        var keys: [String]
        var weight: Double
        var isNumber: Bool
        /// Not one of the question's words.
        var isNew: Bool
        /// Written with a capital inside the sentence (`ContentWords.names`).
        var isName: Bool

        /// A number, or a name the answer adds: what the sentences holding the claim must have as written.
        var isRequiredNearby: Bool { isNumber || (isName && isNew) }
        /// A name the answer repeats from the question: what the source must have somewhere.
        var isRequiredInSource: Bool { isName && !isNew }

        func isIn(_ keys: Set<String>) -> Bool { self.keys.contains(where: keys.contains) }
    }

    /// What a word is compared by. A number stays as written ("five" is 5). A word has two keys, and
    /// two words are one when either is the same: its Porter stem ("form" and "forming"), and its
    /// first five letters as abstention's coverage compares them (`Relevance.stem`), which catches
    /// the names and foreign words the stemmer does not know ("Platyctenida", "platyctenids").
    static func keys(_ word: String) -> [String] {
        if let digits = numberWords[word] { return [digits] }
        if word.contains(where: \.isNumber) { return [word] }
        return [PorterStemmer.stem(word), "~" + Relevance.stem(word)]
    }

    /// `keys` remembered for one check: a source's words repeat, and stemming each anew costs more than
    /// the rest of the check.
    struct KeyCache {
        var known: [String: [String]] = [:]

        mutating func keys(_ word: String) -> [String] {
            if let keys = known[word] { return keys }
            let keys = CitationVerifier.keys(word)
            known[word] = keys
            return keys
        }

        /// The keys of every word of `text`.
        mutating func keySet(of text: String) -> Set<String> {
            var set = Set<String>()
            for word in CitationVerifier.words(of: text) { set.formUnion(keys(word)) }
            return set
        }
    }

    /// The content words of `text`, with the number words `ContentWords` leaves out as function words
    /// ("two forced fumbles" holds the answer "2"), but for "one", more often a pronoun than the number
    /// ("one of only ten teams" does not hold the answer "1").
    static func words(of text: String) -> [String] {
        ContentWords.runs(of: text).map { $0.lowercased() }.filter {
            $0 != "one" && (numberWords[$0] != nil || !ContentWords.stopwords.contains($0))
        }
    }

    static let numberWords: [String: String] = [
        "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
        "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15",
        "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19", "twenty": "20",
    ]

    /// `questionNames`: the keys of the names the question writes with a capital, which stay names where
    /// the answer begins with them ("Forte Pro" for "What did Mitsubishi rename its Forte to?").
    static func keywords(
        of text: String, questionKeys: Set<String>, questionNames: Set<String> = [], weight: Double, cache: inout KeyCache
    ) -> [Keyword] {
        var seen = Set<String>()
        var keywords: [Keyword] = []
        let names = ContentWords.names(in: text)
        for word in words(of: text) where !fillers.contains(word) {
            let keys = cache.keys(word)
            guard seen.insert(keys[0]).inserted else { continue }
            let isNew = !keys.contains(where: questionKeys.contains)
            keywords.append(Keyword(
                keys: keys, weight: isNew ? 1 : weight, isNumber: keys[0].contains(where: \.isNumber), isNew: isNew,
                isName: names.contains(word) || keys.contains(where: questionNames.contains)))
        }
        return keywords
    }

    /// Words of an answer that no source needs to hold.
    static let fillers: Set<String> = [
        "yes", "says", "source", "sources", "document", "documents", "passage", "passages", "according", "mentioned", "based",
        "answer", "stated", "states", "provided", "information", "text",
    ]

    /// "The sources do not say…": a sentence that declines rather than claims.
    static func isRefusal(_ sentence: String) -> Bool {
        let text = sentence.lowercased().replacingOccurrences(of: "’", with: "'")
        return refusals.contains { text.contains($0) }
    }

    static let refusals = [
        "not contain", "n't contain", "not mention", "no mention", "no information", "not provide", "not specif",
        "not state", "not say", "not include", "not found", "cannot be determined", "can't be determined",
        "cannot determine", "not possible to determine", "unable to", "not available", "no answer", "not enough information",
        "not clear from", "does not appear", "do not appear", "not given",
    ]

    // MARK: - Sources

    /// A source's words: whole, per sentence (for the quote) and per run of `span` sentences.
    struct IndexedSource {
        var source: AnswerSource
        var keys: Set<String>
        /// `keys` with the words of its file name and section.
        var about: Set<String>
        var sentences: [(range: Range<Int>, keys: Set<String>)]
        /// The words of each run of consecutive sentences (one run when the source is shorter).
        var windows: [Set<String>]

        init(_ source: AnswerSource, span: Int, cache: inout KeyCache) {
            self.source = source
            let bytes = Array(source.text.utf8)
            var sentences: [(range: Range<Int>, keys: Set<String>)] = []
            for range in SentenceSplitter.ranges(in: source.text, lineBreaks: false) {
                sentences.append((range: range, keys: cache.keySet(of: String(decoding: bytes[range], as: UTF8.self))))
            }
            let keys = sentences.reduce(into: Set<String>()) { $0.formUnion($1.keys) }
            let width = max(1, span)
            self.sentences = sentences
            self.keys = keys
            // What the passage is about, though its text may not say it: the file and the headings above it
            // ("§ 3 Term" of the Berlin lease never names Berlin).
            let context = (source.path.split(separator: "/").last.map(String.init) ?? "") + " " + (source.section ?? "")
            about = keys.union(cache.keySet(of: context))
            windows = sentences.count <= width ? [keys] : (0...(sentences.count - width)).map { start in
                sentences[start..<(start + width)].reduce(into: Set<String>()) { $0.formUnion($1.keys) }
            }
        }

        /// The weighted share of `keywords` the best run of sentences holds; 0 when a number or a new
        /// name is missing from it, or every name repeated from the question from the whole source.
        func support(for keywords: [Keyword]) -> Double {
            let total = keywords.reduce(0) { $0 + $1.weight }
            guard total > 0 else { return 0 }
            // One of them suffices: a question may misspell a name the source writes right.
            let asked = keywords.filter(\.isRequiredInSource)
            if !asked.isEmpty, !asked.contains(where: { $0.isIn(about) }) { return 0 }
            var best = 0.0
            for window in windows {
                var held = 0.0
                var isComplete = true
                for keyword in keywords {
                    if keyword.isIn(window) {
                        held += keyword.weight
                    } else if keyword.isRequiredNearby {
                        isComplete = false
                        break
                    }
                }
                if isComplete { best = max(best, held / total) }
            }
            return best
        }

        /// A short answer's support, 1 or 0: one run of sentences of the source holds every word the answer
        /// adds, and every word it repeats from the question that the source has. A repeated word the source
        /// does not have is neither support nor contradiction: the question's wording is not always the
        /// source's ("the Normans' main enemy" where the source says "fighting against"), and the answer
        /// only echoes it. (The default style weighs such words at `questionWordWeight` for the same reason.)
        /// A repeated word the source does have must stand with the rest, as the answer's own words must.
        func phraseSupport(for keywords: [Keyword]) -> Double {
            let asked = keywords.filter(\.isRequiredInSource)
            if !asked.isEmpty, !asked.contains(where: { $0.isIn(about) }) { return 0 }
            let needed = keywords.filter { $0.isNew || $0.isIn(keys) }
            return windows.contains { window in needed.allSatisfy { $0.isIn(window) } } ? 1 : 0
        }

        /// The sentence of the source holding the most of `keywords` (the earliest of equals).
        func quote(for keywords: [Keyword]) -> Range<Int> {
            var best: (range: Range<Int>, held: Double)?
            for sentence in sentences {
                let held = keywords.reduce(0) { $0 + ($1.isIn(sentence.keys) ? $1.weight : 0) }
                if best.map({ held > $0.held }) ?? true { best = (sentence.range, held) }
            }
            return best?.range ?? 0..<0
        }
    }
}
