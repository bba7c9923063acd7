import GRDB

extension Store {
    /// Most hits one search returns.
    public static let maximumSearchLimit = 1000

    /// Full-text search over chunk text and section headings, best first.
    ///
    /// Any user text is safe: it is cut into words (see `makeFTSQuery`), and a chunk matching more of
    /// them ranks higher. `pathPrefix` keeps only documents whose path starts with it, literally.
    /// `limit` is clamped to 1...`maximumSearchLimit`. Throws `StoreError.emptyQuery` if the text
    /// holds no words.
    public func search(_ query: String, limit: Int, pathPrefix: String?) async throws -> [StoredHit] {
        guard let match = Self.makeFTSQuery(query) else { throw StoreError.emptyQuery }
        let limit = min(max(limit, 1), Self.maximumSearchLimit)
        var arguments: StatementArguments = [match]
        var pathFilter = ""
        if let pathPrefix, !pathPrefix.isEmpty {
            // substr instead of LIKE: no wildcards to escape, and case-sensitive like paths are.
            pathFilter = "AND substr(document.path, 1, length(?)) = ?"
            arguments += [pathPrefix, pathPrefix]
        }
        arguments += [limit]
        let statementArguments = arguments
        // Ranking first, snippets after: SQLite evaluates a query's result columns for every row it
        // sorts, and snippet() re-tokenises the text, so asking for it here cost a snippet per
        // matching chunk (measured: 170 ms per query at 100,000 chunks; see docs/BENCHMARKS.md).
        let sql = """
            SELECT chunk_fts.rowid AS id, bm25(chunk_fts, 1.0, 0.5) AS bm25Rank
            FROM chunk_fts
            JOIN chunk ON chunk.id = chunk_fts.rowid
            JOIN document ON document.id = chunk.documentId
            WHERE chunk_fts MATCH ? \(pathFilter)
            ORDER BY bm25Rank, chunk_fts.rowid
            LIMIT ?
            """
        let ranked: [(id: Int64, rank: Double)] = try await read { db in
            try Row.fetchAll(db, sql: sql, arguments: statementArguments).map { row in
                (try row.decode(forColumn: "id"), try row.decode(forColumn: "bm25Rank"))
            }
        }
        let rank = Dictionary(ranked.map { ($0.id, $0.rank) }, uniquingKeysWith: { a, _ in a })
        return try await hits(chunkIds: ranked.map(\.id), query: query, pathPrefix: nil).map { hit in
            var hit = hit
            hit.score = -(rank[hit.chunkId] ?? 0)
            return hit
        }
    }

    /// Turns arbitrary user text into an FTS5 MATCH expression that cannot be a syntax error: the
    /// words (runs of Unicode letters, digits and combining marks), each double-quoted, joined by
    /// `OR`. Returns nil if there are no words. FTS5 operators in the text (`AND`, `NEAR`, `*`,
    /// `-`, `:`, quotes) become plain words or separators.
    public static func makeFTSQuery(_ text: String) -> String? {
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
        if !contentWords.isEmpty { tokens = contentWords }
        return tokens
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
                           chunk.byteStart, chunk.byteEnd, chunk.lineStart, chunk.lineEnd, chunk.page
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
        return words.count > 32 ? opening + "…" : opening
    }
}
