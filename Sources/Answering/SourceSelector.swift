public import Storage

/// Chooses the passages an answer is built from: the best chunks while they fit the token budget,
/// with adjacent chunks of one document merged into one source, numbered by relevance.
///
/// With a `tokenTarget` (an answer's default), the best `minimumChunks` are taken and further ones
/// of the best `maximumChunks` only while the sources stay within the target: two long passages, or
/// more short ones (notes, e-mails). The model reads every prompt token before its first answer
/// token, so the target bounds that wait (docs/BENCHMARKS.md, "Answers through the daemon"). A
/// chosen passage that only repeats the question's words the others hold makes way for one that holds
/// words of the question none holds (`questionWords`): a question about two documents more often
/// gets a passage of each, in a prompt no longer (docs/EVALUATION.md, "Sources for two-document questions").
public struct SourceSelector: Sendable {
    /// Most chunks taken (before merging).
    public var maximumChunks: Int
    /// Tokens the sources may take in all, headers included: what the context window leaves.
    public var tokenBudget: Int
    /// Tokens the sources should keep within once `minimumChunks` are taken; nil: no target.
    public var tokenTarget: Int?
    /// Chunks taken whatever the target (when the budget has room).
    public var minimumChunks: Int
    /// The question's content words (`Relevance.stem`s), with a target: see `makeWayForMissingWords`.
    /// Empty: the chunks are chosen by rank and length alone.
    public var questionWords: Set<String> = []
    public var coverageCandidates = 10
    public var coverageWords = 2
    /// Tokens a source's header line (number, file, lines, section) and quoting add.
    public static let headerTokens = 24
    /// An answer's default: up to 5 passages within 400 tokens, at least 2 (two chunks of the
    /// chunker's target size, headers included, fill it).
    public static let defaultMaximumChunks = 5
    public static let defaultTokenTarget = 400
    public static let defaultMinimumChunks = 2

    public init(maximumChunks: Int, tokenBudget: Int, tokenTarget: Int? = nil, minimumChunks: Int = 1) {
        self.maximumChunks = maximumChunks
        self.tokenBudget = tokenBudget
        self.tokenTarget = tokenTarget
        self.minimumChunks = minimumChunks
    }

    /// An answer's sources: `count` chunks when the request names a number, else the default
    /// (`defaultMaximumChunks` within `defaultTokenTarget`, a passage holding what the best ones leave
    /// of `question` in place of one that repeats them).
    public static func forAnswer(count: Int?, tokenBudget: Int, question: String) -> SourceSelector {
        guard let count else {
            var selector = SourceSelector(
                maximumChunks: defaultMaximumChunks, tokenBudget: tokenBudget, tokenTarget: defaultTokenTarget,
                minimumChunks: defaultMinimumChunks)
            selector.questionWords = Relevance.words(of: question)
            return selector
        }
        return SourceSelector(maximumChunks: count, tokenBudget: tokenBudget)
    }

    /// `hits` best first. `countTokens` measures text in the answering model's tokens.
    public func select(_ hits: [StoredHit], countTokens: (String) -> Int) -> [AnswerSource] {
        var chosen: [(rank: Int, hit: StoredHit)] = []
        var spent = 0
        var seen = Set<Int64>()
        for (rank, hit) in hits.enumerated() where chosen.count < maximumChunks && seen.insert(hit.chunkId).inserted {
            let cost = countTokens(hit.text) + Self.headerTokens
            // A lower-ranked but shorter chunk may still fit after a long one did not.
            guard spent + cost <= tokenBudget else { continue }
            if let tokenTarget, chosen.count >= minimumChunks {
                // Past the minimum, only the best `maximumChunks`, and only while they stay short.
                guard rank < maximumChunks, spent + cost <= tokenTarget else { continue }
            }
            spent += cost
            chosen.append((rank, hit))
        }
        if tokenTarget != nil, !questionWords.isEmpty { makeWayForMissingWords(&chosen, hits: hits, spent: spent, countTokens: countTokens) }
        return Self.merge(chosen)
    }

    /// The first chunk among the best `coverageCandidates` that holds `coverageWords` or more of the
    /// question's words no chosen chunk holds takes the place of the lowest-ranked chosen chunk past the
    /// first whose question words the others hold too (none such: nothing changes). The sources stay
    /// as many, so the prompt stays as long.
    func makeWayForMissingWords(
        _ chosen: inout [(rank: Int, hit: StoredHit)], hits: [StoredHit], spent: Int, countTokens: (String) -> Int
    ) {
        let held = chosen.map { Relevance.words(of: $0.hit.text).intersection(questionWords) }
        let covered = held.reduce(into: Set<String>()) { $0.formUnion($1) }
        for (rank, hit) in hits.prefix(coverageCandidates).enumerated() where !chosen.contains(where: { $0.hit.chunkId == hit.chunkId }) {
            guard Relevance.words(of: hit.text).intersection(questionWords).subtracting(covered).count >= coverageWords else { continue }
            let repeating = chosen.indices.dropFirst().reversed().first { index in
                let others = held.indices.filter { $0 != index }.reduce(into: Set<String>()) { $0.formUnion(held[$1]) }
                return held[index].isSubset(of: others)
            }
            guard let repeating else { return }
            let cost = countTokens(hit.text) - countTokens(chosen[repeating].hit.text)
            if spent + cost <= tokenBudget { chosen[repeating] = (rank, hit) }
            return
        }
    }

    /// Runs of consecutive chunks (by ordinal) of one document become one source, ranked where its
    /// best chunk was; sources are numbered from 1 in that order. A run does not cross into another
    /// page, slide, message or sheet: a source is cited by one locator, which must be where its
    /// words are (a merged "pp. 1–3" would send the reader to page 1 for a fact on page 2).
    static func merge(_ chosen: [(rank: Int, hit: StoredHit)]) -> [AnswerSource] {
        var groups: [(rank: Int, hits: [StoredHit])] = []
        let byDocument = Dictionary(grouping: chosen, by: { $0.hit.documentId })
        for (_, items) in byDocument {
            let ordered = items.sorted { $0.hit.ordinal < $1.hit.ordinal }
            var run: [(rank: Int, hit: StoredHit)] = []
            for item in ordered {
                if let last = run.last, item.hit.ordinal != last.hit.ordinal + 1 || !continues(last.hit, with: item.hit) {
                    groups.append((run.map(\.rank).min() ?? 0, run.map(\.hit)))
                    run = []
                }
                run.append(item)
            }
            if !run.isEmpty { groups.append((run.map(\.rank).min() ?? 0, run.map(\.hit))) }
        }
        groups.sort { $0.rank < $1.rank }
        return groups.enumerated().compactMap { index, group in
            guard let first = group.hits.first, let last = group.hits.last else { return nil }
            var text = first.text
            for (previous, next) in zip(group.hits, group.hits.dropFirst()) {
                text += (next.byteStart <= previous.byteEnd ? " " : "\n\n") + next.text
            }
            var source = AnswerSource(
                number: index + 1, path: first.path, documentId: first.documentId, chunkIds: group.hits.map(\.chunkId),
                text: text, section: first.section, byteStart: first.byteStart, byteEnd: max(first.byteEnd, last.byteEnd),
                lineStart: first.lineStart, lineEnd: max(first.lineEnd, last.lineEnd), page: first.page,
                score: group.hits.map(\.score).max() ?? 0)
            let lastPage = group.hits.compactMap { $0.pageEnd ?? $0.page }.max()
            if let page = first.page, let lastPage, lastPage > page { source.pageEnd = lastPage }
            source.part = first.part
            source.isOCR = group.hits.contains(where: \.isOCR)
            source.isExtracted = first.format != nil
            return source
        }
    }

    /// `next` is on the page (or in the part) where `previous` ends.
    static func continues(_ previous: StoredHit, with next: StoredHit) -> Bool {
        next.part == previous.part && (next.page == nil || next.page == (previous.pageEnd ?? previous.page))
    }

    /// Passages supplied with a request, numbered in the order given; byte and line ranges are
    /// within each passage's own text.
    public static func supplied(_ passages: [SuppliedPassage]) -> [AnswerSource] {
        passages.enumerated().map { index, passage in
            AnswerSource(
                number: index + 1, path: passage.title, documentId: nil, chunkIds: [], text: passage.text, section: nil,
                byteStart: 0, byteEnd: passage.text.utf8.count, lineStart: 1,
                lineEnd: passage.text.split(separator: "\n", omittingEmptySubsequences: false).count, page: nil, score: 0)
        }
    }
}
