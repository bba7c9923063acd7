import Synchronization

/// When and how full-text search prunes a query's common words (see `Store.search`).
///
/// BM25 through FTS5 costs in proportion to the postings of every query word: at a million chunks a
/// word found in half of them makes a query take a second. Pruned search matches rows only by the
/// query's rarest words, whose postings together stay within `postingBudget`, and scores those rows
/// by every word. A row holding none of the rare words is missed; `Store.search` widens the rare set
/// (up to `maximumPostings`) while such a row could still have ranked in the results.
public struct LexicalPruning: Sendable, Equatable {
    /// Indexes with fewer chunks always run the whole query: it is fast there.
    public var minimumRows: Int
    /// Postings the rare words may have together on the first try. Measured on synthetic chunks
    /// (docs/BENCHMARKS.md): at 100,000, 5,000 widened up to 80,000 returned the same top 100 as the
    /// whole query for 50 of 50 queries at a sixth of its CPU time; at 1,000,000, widening up to
    /// 20,000 kept 99.7 % of the top 10 at 5 % of the CPU time (up to 5,000: 97 % at 3 %).
    public var postingBudget: Int
    /// The most postings the rare words may have after widening; past it the results are kept as
    /// they are (an approximation of BM25 that favours rows with rare words). When even the rarest
    /// word has more, only the most recent rows holding about this many of its postings are scored.
    public var maximumPostings: Int
    /// Rows in the window whose matches estimate a word's document frequency.
    public var sampleRows: Int

    public init(minimumRows: Int = 50_000, postingBudget: Int = 5_000, maximumPostings: Int = 20_000, sampleRows: Int = 16_384) {
        self.minimumRows = minimumRows
        self.postingBudget = postingBudget
        self.maximumPostings = max(maximumPostings, postingBudget)
        self.sampleRows = max(1, sampleRows)
    }

    public static let standard = LexicalPruning()
    /// Never prunes: every query is scored by FTS5's `bm25()` over all its words.
    public static let off = LexicalPruning(minimumRows: .max)
}

/// Document frequencies found for query words, kept while the index holds the same number of rows
/// (exact counts) or about the same (estimates), so a common word is counted once, not per query.
final class LexicalStatistics: Sendable {
    struct Entry: Sendable {
        var documentFrequency: Int
        var rows: Int
        var estimated: Bool
    }

    private let entries = Mutex<[String: Entry]>([:])
    /// Enough for the words of many queries; past it the cache starts over.
    private let capacity = 50_000

    func documentFrequency(of word: String, rows: Int) -> Int? {
        entries.withLock { entries in
            guard let entry = entries[word] else { return nil }
            if entry.rows == rows { return entry.documentFrequency }
            // An estimate stays good while the index changes by less than 1 %.
            if entry.estimated, abs(entry.rows - rows) * 100 <= entry.rows { return entry.documentFrequency }
            return nil
        }
    }

    /// Drops every word: after forgetting, not even a forgotten word's count stays in memory.
    func forgetAll() {
        entries.withLock { $0.removeAll() }
    }

    func remember(_ word: String, documentFrequency: Int, rows: Int, estimated: Bool) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[word] = Entry(documentFrequency: documentFrequency, rows: rows, estimated: estimated)
        }
    }
}
