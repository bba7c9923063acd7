public import Storage

/// Chooses the passages an answer is built from: the best chunks while they fit the token budget,
/// with adjacent chunks of one document merged into one source, numbered by relevance.
public struct SourceSelector: Sendable {
    /// Most chunks taken (before merging).
    public var maximumChunks: Int
    /// Tokens the sources may take in all, headers included.
    public var tokenBudget: Int
    /// Tokens a source's header line (number, file, lines, section) and quoting add.
    public static let headerTokens = 24

    public init(maximumChunks: Int, tokenBudget: Int) {
        self.maximumChunks = maximumChunks
        self.tokenBudget = tokenBudget
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
            spent += cost
            chosen.append((rank, hit))
        }
        return Self.merge(chosen)
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
