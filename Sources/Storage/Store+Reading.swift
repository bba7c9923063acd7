import GRDB

extension Store {
    /// How many roots, documents (by status) and chunks the index holds.
    public func counts() async throws -> StoreCounts {
        try await read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT (SELECT count(*) FROM root) AS roots,
                       (SELECT count(*) FROM document) AS documents,
                       (SELECT count(*) FROM document WHERE status = 'indexed') AS indexed,
                       (SELECT count(*) FROM document WHERE status = 'failed') AS failed,
                       (SELECT count(*) FROM document WHERE status = 'skipped') AS skipped,
                       (SELECT count(*) FROM document WHERE status = 'failed' AND crashCount >= 2) AS quarantined,
                       (SELECT count(*) FROM chunk) AS chunks
                """)
            guard let row else { return StoreCounts(roots: 0, documents: 0, indexed: 0, failed: 0, skipped: 0, chunks: 0) }
            var counts = StoreCounts(
                roots: try row.decode(forColumn: "roots"), documents: try row.decode(forColumn: "documents"),
                indexed: try row.decode(forColumn: "indexed"), failed: try row.decode(forColumn: "failed"),
                skipped: try row.decode(forColumn: "skipped"), chunks: try row.decode(forColumn: "chunks"))
            counts.quarantined = try row.decode(forColumn: "quarantined")
            for formatRow in try Row.fetchAll(db, sql: """
                SELECT coalesce(format, kind, 'other') AS name, count(*) AS documents
                FROM document WHERE status = 'indexed' GROUP BY 1
                """)
            {
                counts.byFormat[try formatRow.decode(forColumn: "name")] = try formatRow.decode(forColumn: "documents")
            }
            return counts
        }
    }

    /// How many documents one root holds, and how many of those failed.
    public func documentCounts(rootId: Int64) async throws -> (documents: Int, failed: Int) {
        try await read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT count(*) AS documents, coalesce(sum(status = 'failed'), 0) AS failed
                    FROM document WHERE rootId = ?
                    """,
                arguments: [rootId])
            guard let row else { return (0, 0) }
            return (documents: try row.decode(forColumn: "documents"), failed: try row.decode(forColumn: "failed"))
        }
    }

    /// One page of documents by path, optionally only those with `status` and a path starting with
    /// `pathPrefix`; `total` counts all that match, ignoring paging. `limit` is clamped to
    /// 1...1000 and `offset` to 0 or more.
    public func listDocuments(
        status: DocumentStatus?, pathPrefix: String?, limit: Int, offset: Int
    ) async throws -> (documents: [DocumentRecord], total: Int) {
        var conditions = ["1"]
        var arguments = StatementArguments()
        if let status {
            conditions.append("status = ?")
            arguments += [status.rawValue]
        }
        if let pathPrefix, !pathPrefix.isEmpty {
            // substr instead of LIKE: no wildcards to escape, and case-sensitive like paths are.
            conditions.append("substr(path, 1, length(?)) = ?")
            arguments += [pathPrefix, pathPrefix]
        }
        let filter = conditions.joined(separator: " AND ")
        let countArguments = arguments
        arguments += [min(max(limit, 1), 1000), max(offset, 0)]
        let pageArguments = arguments
        return try await read { db in
            let total = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM document WHERE \(filter)", arguments: countArguments) ?? 0
            let page = try Row.fetchAll(
                db, sql: "SELECT * FROM document WHERE \(filter) ORDER BY path LIMIT ? OFFSET ?",
                arguments: pageArguments
            ).map(DocumentRecord.init(row:))
            return (documents: page, total: total)
        }
    }

    /// The chunks of one document, in order.
    public func chunks(documentId: Int64) async throws -> [ChunkRecord] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM chunk WHERE documentId = ? ORDER BY ordinal", arguments: [documentId]
            ).map(ChunkRecord.init(row:))
        }
    }

    /// SQLite's `PRAGMA integrity_check` rows, `["ok"]` when the file is sound, followed by a row
    /// if the full-text index does not match the chunk table.
    public func integrityCheck() async throws -> [String] {
        var problems = try await read { db in
            try String.fetchAll(db, sql: "PRAGMA integrity_check")
        }
        do {
            // A write statement in form only: with rank 1 FTS5 also compares the index with the
            // external content table, and changes nothing.
            try await write { db in
                try db.execute(sql: "INSERT INTO chunk_fts(chunk_fts, rank) VALUES ('integrity-check', 1)")
            }
        } catch let error as StoreError {
            let detail: String
            switch error {
            case .corrupt(let message), .sqlite(let message): detail = message
            default: detail = error.message
            }
            if problems == ["ok"] { problems = [] }
            problems.append("chunk_fts: full-text index does not match table chunk (\(detail))")
        }
        return problems
    }

    /// Every document's path, status and chunk count, for counts a caller's permissions filter.
    /// `format` is the document's format, or its kind for text read directly (as in ``StoreCounts/byFormat``).
    public func documentSummaries() async throws
        -> [(path: String, status: DocumentStatus, chunks: Int, format: String, isQuarantined: Bool)]
    {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT path, status, chunkCount, coalesce(format, kind, 'other') AS format, crashCount >= 2 AS quarantined FROM document"
            ).map { row in
                let status = DocumentStatus(rawValue: try row.decode(forColumn: "status")) ?? .failed
                return (
                    try row.decode(forColumn: "path"), status, try row.decode(forColumn: "chunkCount"),
                    try row.decode(forColumn: "format"), try row.decode(forColumn: "quarantined")
                )
            }
        }
    }
}
