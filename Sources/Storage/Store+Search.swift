import Foundation
import GRDB

extension Store {
    /// Most hits one search returns.
    public static let maximumSearchLimit = 1000
    /// Most candidates one ranking returns: deeper than a search's limit, for a caller that drops
    /// the candidates it may not see before keeping the best.
    public static let maximumRankingDepth = 20_000

    /// Full-text search over chunk text and section headings, best first.
    ///
    /// Any user text is safe: it is cut into words (see `makeFTSQuery`), and a chunk matching more of
    /// them ranks higher. `pathPrefix` keeps only documents whose path starts with it, literally.
    /// `limit` is clamped to 1...`maximumSearchLimit`. Throws `StoreError.emptyQuery` if the text
    /// holds no words. On large indexes the query's most common words are pruned (`LexicalPruning`).
    public func search(_ query: String, limit: Int, pathPrefix: String?, pruning: LexicalPruning = .standard) async throws
        -> [StoredHit]
    {
        let ranked = try await rankedChunks(
            query, limit: min(max(limit, 1), Self.maximumSearchLimit), pathPrefix: pathPrefix, pruning: pruning)
        let score = Dictionary(ranked.map { ($0.id, $0.score) }, uniquingKeysWith: { a, _ in a })
        return try await hits(chunkIds: ranked.map(\.id), query: query, pathPrefix: nil).map { hit in
            var hit = hit
            hit.score = score[hit.chunkId] ?? 0
            return hit
        }
    }

    /// The ranking of `search` without the hits' text and snippets: chunk ids and BM25 scores, best
    /// first (for callers that fuse rankings and then need only the few hits they keep).
    public func rankedChunks(_ query: String, limit: Int, pathPrefix: String?, pruning: LexicalPruning = .standard)
        async throws -> [(id: Int64, score: Double)]
    {
        guard let words = Self.queryWords(query) else { throw StoreError.emptyQuery }
        let limit = min(max(limit, 1), Self.maximumRankingDepth)
        let statistics = lexicalStatistics
        return try await read { db in
            let rows = try Self.ftsRowCount(db)
            if rows >= pruning.minimumRows,
                let pruned = try Self.prunedSearch(
                    db, words: words, rows: rows, limit: limit, pathPrefix: pathPrefix, pruning: pruning, statistics: statistics)
            {
                return pruned
            }
            return try Self.fullSearch(db, words: words, limit: limit, pathPrefix: pathPrefix)
        }
    }

    /// The path filter's joins, condition and arguments. Without a filter there are no joins: the
    /// full-text index is kept in step with `chunk` by triggers, so every row it matches is a chunk,
    /// and joining would cost two B-tree lookups a matched row (most of a common word's query time).
    private static func pathFilter(_ pathPrefix: String?) -> (join: String, sql: String, arguments: StatementArguments) {
        guard let pathPrefix, !pathPrefix.isEmpty else { return ("", "", []) }
        // substr instead of LIKE: no wildcards to escape, and case-sensitive like paths are.
        return (
            "JOIN chunk ON chunk.id = chunk_fts.rowid JOIN document ON document.id = chunk.documentId",
            "AND substr(document.path, 1, length(?)) = ?", [pathPrefix, pathPrefix]
        )
    }

    /// Every word OR-ed, ranked by FTS5's own `bm25()`.
    private static func fullSearch(_ db: Database, words: [String], limit: Int, pathPrefix: String?) throws
        -> [(id: Int64, score: Double)]
    {
        let filter = pathFilter(pathPrefix)
        // Ranking first, snippets after: SQLite evaluates a query's result columns for every row it
        // sorts, and snippet() re-tokenises the text, so asking for it here cost a snippet per
        // matching chunk (measured: 170 ms per query at 100,000 chunks; see docs/BENCHMARKS.md).
        let sql = """
            SELECT chunk_fts.rowid AS id, bm25(chunk_fts, 1.0, 0.5) AS bm25Rank
            FROM chunk_fts \(filter.join)
            WHERE chunk_fts MATCH ? \(filter.sql)
            ORDER BY bm25Rank, chunk_fts.rowid
            LIMIT ?
            """
        let arguments: StatementArguments = [orQuery(words)] + filter.arguments + [limit]
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            (try row.decode(forColumn: "id"), -(try row.decode(forColumn: "bm25Rank") as Double))
        }
    }

    /// Matches rows by the query's rarest words and scores them by all of its words with
    /// `sotto_bm25` (same formula and IDFs as `bm25()`). Returns nil when nothing would be pruned.
    ///
    /// A row with none of the rare words can score at most Σ idf × (k1 + 1) over the other words; once
    /// the last of `limit` results scores at least that, pruning lost nothing (MaxScore, Turtle and
    /// Flood, 1995). Until then the next rarest word joins the rare set, while the rare words'
    /// postings stay within `maximumPostings`. A query whose rarest word alone has more postings than
    /// that is searched in a window of recent rows (`windowedSearch`).
    private static func prunedSearch(
        _ db: Database, words: [String], rows: Int, limit: Int, pathPrefix: String?, pruning: LexicalPruning,
        statistics: LexicalStatistics
    ) throws -> [(id: Int64, score: Double)]? {
        var frequencyOf: [String: Int] = [:]
        var window: (lower: Int64, upper: Int64, rows: Int)?
        for word in words.map({ $0.lowercased() }) where frequencyOf[word] == nil {
            if let known = statistics.documentFrequency(of: word, rows: rows) {
                frequencyOf[word] = known
                continue
            }
            if window == nil { window = try sampleWindow(db, rows: pruning.sampleRows) }
            let (frequency, estimated) = try documentFrequency(db, word: word, rows: rows, window: window, pruning: pruning)
            frequencyOf[word] = frequency
            statistics.remember(word, documentFrequency: frequency, rows: rows, estimated: estimated)
        }
        // A word no chunk holds adds nothing to any score (and may be no token at all, e.g. a lone
        // combining mark, which FTS5 leaves out of its phrases).
        let words = words.filter { frequencyOf[$0.lowercased()] ?? 0 > 0 }
        guard !words.isEmpty else { return [] }
        let frequencies = words.map { frequencyOf[$0.lowercased()] ?? 0 }
        let idfs = frequencies.map { LexicalScorer.idf(rows: rows, documentFrequency: $0) }
        let byRarity = words.indices.sorted { frequencies[$0] != frequencies[$1] ? frequencies[$0] < frequencies[$1] : $0 < $1 }
        if frequencies[byRarity[0]] > pruning.maximumPostings {
            return try windowedSearch(
                db, words: words, rarest: byRarity[0], postings: frequencies[byRarity[0]], idfs: idfs, limit: limit,
                pathPrefix: pathPrefix, pruning: pruning)
        }
        var rareCount = 1
        var postings = frequencies[byRarity[0]]
        while rareCount < words.count, postings + frequencies[byRarity[rareCount]] <= pruning.postingBudget {
            postings += frequencies[byRarity[rareCount]]
            rareCount += 1
        }
        while rareCount < words.count {
            let rare = byRarity.prefix(rareCount).sorted().map { words[$0] }
            // Phrases are numbered in the order they appear: the rare ones first, then every word,
            // which are those sotto_bm25 scores (from phrase `rareCount` on).
            let ranked = try scoredSearch(
                db, match: "(\(orQuery(rare))) AND (\(orQuery(words)))", firstScoredPhrase: rareCount, idfs: idfs,
                limit: limit, pathPrefix: pathPrefix)
            let missedBound = byRarity.dropFirst(rareCount).reduce(0.0) { $0 + idfs[$1] * (LexicalScorer.k1 + 1) }
            if ranked.count == limit, let last = ranked.last, last.score >= missedBound { return ranked }
            let next = frequencies[byRarity[rareCount]]
            if postings + next > pruning.maximumPostings { return ranked }
            postings += next
            rareCount += 1
        }
        return nil
    }

    /// The rows matching `match`, scored with `sotto_bm25` over the phrases from `firstScoredPhrase`
    /// on (one IDF each), best first; only rows from `lowestRowid` on when it is set.
    private static func scoredSearch(
        _ db: Database, match: String, firstScoredPhrase: Int, idfs: [Double], limit: Int, pathPrefix: String?,
        lowestRowid: Int64? = nil
    ) throws -> [(id: Int64, score: Double)] {
        let filter = pathFilter(pathPrefix)
        let marks = Array(repeating: "?", count: idfs.count).joined(separator: ", ")
        let window = lowestRowid == nil ? "" : "AND chunk_fts.rowid >= ?"
        let sql = """
            SELECT chunk_fts.rowid AS id, \(LexicalScorer.functionName)(chunk_fts, ?, \(marks)) AS score
            FROM chunk_fts \(filter.join)
            WHERE chunk_fts MATCH ? \(window) \(filter.sql)
            ORDER BY score DESC, chunk_fts.rowid
            LIMIT ?
            """
        var arguments: StatementArguments = [firstScoredPhrase] + StatementArguments(idfs) + [match]
        if let lowestRowid { arguments += [lowestRowid] }
        arguments += filter.arguments + [limit]
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            (try row.decode(forColumn: "id"), try row.decode(forColumn: "score"))
        }
    }

    /// Search for a query whose every word is common (even the rarest has more than `maximumPostings`
    /// postings): walking them all took seconds at a million chunks (a word in 70 % of them: 2.2 s).
    /// Scores, by every word, the rows holding the rarest word among the most recent chunks, a window
    /// that holds about `maximumPostings` of its postings; the window grows fourfold while it yields
    /// fewer than `limit` rows. The ranking is BM25's within the window: such words barely tell rows
    /// apart anyway, and hybrid search leans on the dense ranking for them.
    private static func windowedSearch(
        _ db: Database, words: [String], rarest: Int, postings: Int, idfs: [Double], limit: Int, pathPrefix: String?,
        pruning: LexicalPruning
    ) throws -> [(id: Int64, score: Double)] {
        let range = try Row.fetchOne(db, sql: "SELECT min(id) AS first, max(id) AS last FROM chunk")
        let first: Int64? = try range?.decode(forColumn: "first")
        let last: Int64? = try range?.decode(forColumn: "last")
        guard let first, let last else { return [] }
        let single = words.count == 1
        let match = single ? orQuery(words) : "(\(orQuery([words[rarest]]))) AND (\(orQuery(words)))"
        let share = Double(pruning.maximumPostings) / Double(max(postings, 1))
        var span = max(Int64(limit), Int64((Double(last - first + 1) * share).rounded(.up)))
        while true {
            let lowest = last - span + 1
            let ranked = try scoredSearch(
                db, match: match, firstScoredPhrase: single ? 0 : 1, idfs: idfs, limit: limit, pathPrefix: pathPrefix,
                lowestRowid: lowest > first ? lowest : nil)
            if ranked.count >= limit || lowest <= first { return ranked }
            span = span > (last - first) / 4 ? last - first + 1 : span * 4
        }
    }

    /// A range of recent row ids holding about `rows` chunks, to estimate how common a word is.
    private static func sampleWindow(_ db: Database, rows: Int) throws -> (lower: Int64, upper: Int64, rows: Int)? {
        guard let upper = try Int64.fetchOne(db, sql: "SELECT max(id) FROM chunk") else { return nil }
        let lower = max(1, upper - Int64(rows) + 1)
        let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM chunk WHERE id BETWEEN ? AND ?", arguments: [lower, upper]) ?? 0
        return count > 0 ? (lower, upper, count) : nil
    }

    /// How many chunks hold `word`: counted exactly when that is cheap (the word is rare in the sample
    /// window), else estimated from the window. Returns the count and whether it is an estimate.
    private static func documentFrequency(
        _ db: Database, word: String, rows: Int, window: (lower: Int64, upper: Int64, rows: Int)?, pruning: LexicalPruning
    ) throws -> (Int, Bool) {
        let match = orQuery([word])
        if let window, window.rows < rows {
            let inWindow = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM chunk_fts WHERE chunk_fts MATCH ? AND rowid BETWEEN ? AND ?",
                arguments: [match, window.lower, window.upper]) ?? 0
            let estimate = Int((Double(inWindow) * Double(rows) / Double(window.rows)).rounded())
            if estimate > pruning.maximumPostings { return (min(estimate, rows), true) }
        }
        let exact = try Int.fetchOne(db, sql: "SELECT count(*) FROM chunk_fts WHERE chunk_fts MATCH ?", arguments: [match]) ?? 0
        return (exact, false)
    }

    /// Rows in the full-text index, from FTS5's totals record (a varint row count first), which
    /// `bm25()` reads too; counting the table instead would take a scan.
    static func ftsRowCount(_ db: Database) throws -> Int {
        guard let block = try Data.fetchOne(db, sql: "SELECT block FROM chunk_fts_data WHERE id = 1") else { return 0 }
        return Int(clamping: Self.varint(block) ?? 0)
    }

    /// SQLite's varint (big-endian groups of 7 bits, the ninth byte whole), as FTS5 writes them.
    static func varint(_ bytes: Data) -> UInt64? {
        var value: UInt64 = 0
        for (index, byte) in bytes.prefix(9).enumerated() {
            if index == 8 { return (value << 8) | UInt64(byte) }
            value = (value << 7) | UInt64(byte & 0x7F)
            if byte & 0x80 == 0 { return value }
        }
        return nil
    }

    /// Turns arbitrary user text into an FTS5 MATCH expression that cannot be a syntax error: the
    /// words (runs of Unicode letters, digits and combining marks), each double-quoted, joined by
    /// `OR`. Returns nil if there are no words. FTS5 operators in the text (`AND`, `NEAR`, `*`,
    /// `-`, `:`, quotes) become plain words or separators.
    public static func makeFTSQuery(_ text: String) -> String? {
        queryWords(text).map(orQuery)
    }

    /// The words of a query (see `makeFTSQuery`), function words dropped unless that leaves none.
    static func queryWords(_ text: String) -> [String]? {
        var tokens: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isWordScalar(scalar) {
                current.append(scalar)
            } else if !current.isEmpty {
                tokens.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { tokens.append(String(current)) }
        guard !tokens.isEmpty else { return nil }
        // Function words match nearly every chunk: they add noise to the ranking and to the
        // highlighted snippets. Dropped unless the query is nothing but them ("to be or not to be").
        let contentWords = tokens.filter { !stopwords.contains($0.lowercased()) }
        return contentWords.isEmpty ? tokens : contentWords
    }

    /// Each word double-quoted (a quote inside doubled), joined by OR.
    static func orQuery(_ words: [String]) -> String {
        words
            .map { "\"" + $0.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\"" }
            .joined(separator: " OR ")
    }

    /// Common English function words.
    static let stopwords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "by", "did", "do", "does", "for", "from", "had", "has", "have",
        "how", "in", "is", "it", "its", "of", "on", "or", "that", "the", "their", "this", "to", "was", "were",
        "what", "when", "where", "which", "who", "whom", "whose", "why", "will", "with",
    ]

    private static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .decimalNumber, .letterNumber, .otherNumber,
            .nonspacingMark, .spacingMark, .enclosingMark:
            return true
        default:
            return false
        }
    }
}

extension Store {
    /// The chunks with these ids as hits (in the order given; ids of deleted chunks are left out),
    /// for results found by other means than full-text search. Where `query` matches a chunk, its
    /// snippet and highlights come from the full-text index; otherwise the snippet is the chunk's
    /// opening words. `score` is 0: the caller sets it.
    public func hits(chunkIds: [Int64], query: String?, pathPrefix: String?) async throws -> [StoredHit] {
        guard !chunkIds.isEmpty else { return [] }
        let match = query.flatMap(Self.makeFTSQuery)
        let open = String(SnippetMarkup.open), close = String(SnippetMarkup.close)
        return try await read { db in
            var rows: [Int64: StoredHit] = [:]
            for start in stride(from: 0, to: chunkIds.count, by: 500) {
                let ids = Array(chunkIds[start..<min(start + 500, chunkIds.count)])
                let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
                var arguments = StatementArguments(ids)
                var pathFilter = ""
                if let pathPrefix, !pathPrefix.isEmpty {
                    pathFilter = "AND substr(document.path, 1, length(?)) = ?"
                    arguments += [pathPrefix, pathPrefix]
                }
                let sql = """
                    SELECT chunk.id, chunk.documentId, document.path, chunk.ordinal, chunk.text, chunk.section,
                           chunk.byteStart, chunk.byteEnd, chunk.lineStart, chunk.lineEnd, chunk.page,
                           chunk.pageEnd, chunk.part, chunk.ocr, document.format
                    FROM chunk JOIN document ON document.id = chunk.documentId
                    WHERE chunk.id IN (\(marks)) \(pathFilter)
                    """
                for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
                    let chunk = try ChunkRecord(row: row)
                    let id: Int64 = try row.decode(forColumn: "id")
                    rows[id] = StoredHit(
                        chunkId: id, documentId: chunk.documentId, path: try row.decode(forColumn: "path"),
                        ordinal: chunk.ordinal, text: chunk.text, section: chunk.section, byteStart: chunk.byteStart,
                        byteEnd: chunk.byteEnd, lineStart: chunk.lineStart, lineEnd: chunk.lineEnd, page: chunk.page,
                        score: 0, snippet: Self.openingWords(chunk.text), highlights: [])
                    rows[id]?.pageEnd = chunk.pageEnd
                    rows[id]?.part = chunk.part
                    rows[id]?.isOCR = chunk.isOCR
                    rows[id]?.format = try row.decode(forColumn: "format")
                }
                if let match {
                    let found = Array(rows.keys.filter { ids.contains($0) })
                    guard !found.isEmpty else { continue }
                    let idMarks = Array(repeating: "?", count: found.count).joined(separator: ",")
                    let snippetSQL = """
                        SELECT rowid, snippet(chunk_fts, 0, ?, ?, '…', 32) AS marked FROM chunk_fts
                        WHERE chunk_fts MATCH ? AND rowid IN (\(idMarks))
                        """
                    let snippetArguments: StatementArguments = [open, close, match] + StatementArguments(found)
                    for row in try Row.fetchAll(db, sql: snippetSQL, arguments: snippetArguments) {
                        let id: Int64 = try row.decode(forColumn: "rowid")
                        let marked: String? = try row.decode(forColumn: "marked")
                        let (snippet, highlights) = SnippetMarkup.strip(marked ?? "")
                        if !highlights.isEmpty {
                            rows[id]?.snippet = snippet
                            rows[id]?.highlights = highlights
                        }
                    }
                }
            }
            return chunkIds.compactMap { rows[$0] }
        }
    }

    /// About the first 32 words of a text, on one line, with an ellipsis if cut.
    static func openingWords(_ text: String) -> String {
        let words = text.split(whereSeparator: { $0.isWhitespace })
        let opening = words.prefix(32).joined(separator: " ")
        let scalars = opening.unicodeScalars
        if scalars.count > SnippetMarkup.maxScalars {
            return String(String.UnicodeScalarView(scalars.prefix(SnippetMarkup.maxScalars))) + "…"
        }
        return words.count > 32 ? opening + "…" : opening
    }
}

extension Store {
    /// The document (id and path) each of these chunks belongs to; ids of deleted chunks are left out.
    /// For callers that filter a ranking by document before fetching any text.
    public func documents(ofChunks chunkIds: [Int64]) async throws -> [Int64: (documentId: Int64, path: String)] {
        guard !chunkIds.isEmpty else { return [:] }
        return try await read { db in
            var found: [Int64: (documentId: Int64, path: String)] = [:]
            for start in stride(from: 0, to: chunkIds.count, by: 500) {
                let ids = Array(chunkIds[start..<min(start + 500, chunkIds.count)])
                let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
                let sql = """
                    SELECT chunk.id AS id, document.id AS documentId, document.path AS path
                    FROM chunk JOIN document ON document.id = chunk.documentId WHERE chunk.id IN (\(marks))
                    """
                for row in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(ids)) {
                    found[try row.decode(forColumn: "id")] = (try row.decode(forColumn: "documentId"), try row.decode(forColumn: "path"))
                }
            }
            return found
        }
    }
}
