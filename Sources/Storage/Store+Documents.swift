import GRDB

extension Store {
    /// The documents of one root, by path.
    public func documents(rootId: Int64) async throws -> [DocumentRecord] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM document WHERE rootId = ? ORDER BY path", arguments: [rootId]
            ).map(DocumentRecord.init(row:))
        }
    }

    /// The document stored at exactly `path`, if any.
    public func document(path: String) async throws -> DocumentRecord? {
        try await read { db in
            try DocumentRecord.fetchOne(db, path: path)
        }
    }

    /// In one transaction, replaces whatever is stored at `document.path` (the row and all its
    /// chunks) by `document` and `chunks`. `chunkCount` is set from `chunks`; `document.id` is
    /// ignored: an existing row keeps its id, a new one gets a fresh id. Returns the document id.
    /// If anything fails (e.g. two chunks share an ordinal) the previous document stays as it was.
    @discardableResult
    public func saveIndexed(_ document: DocumentRecord, chunks: [Chunk]) async throws -> Int64 {
        let (id, replaced) = try await write { db in
            var record = document
            record.chunkCount = chunks.count
            let (id, replaced) = try Self.upsert(record, db)
            for chunk in chunks {
                try chunk.insert(db, documentId: id)
            }
            return (id, replaced)
        }
        if replaced { noteDeletion() }
        return id
    }

    /// Upserts a `failed` or `skipped` document by path (status and reason come from the record),
    /// removing any chunks it had. `chunkCount` is stored as 0. Returns the document id.
    @discardableResult
    public func saveUnindexed(_ document: DocumentRecord) async throws -> Int64 {
        let (id, replaced) = try await write { db in
            var record = document
            record.chunkCount = 0
            return try Self.upsert(record, db)
        }
        if replaced { noteDeletion() }
        return id
    }

    /// Records a rename: the document keeps its id and chunks, and takes `newPath` and the new stat
    /// fields. A different row already at `newPath` is deleted first. Does nothing if no document
    /// has `id`.
    public func moveDocument(
        id: Int64, to newPath: String, device: Int64, inode: Int64, size: Int64, mtimeNanoseconds: Int64
    ) async throws {
        let replaced = try await write { db -> Bool in
            guard var record = try DocumentRecord.fetchOne(db, id: id) else { return false }
            try db.execute(
                sql: "DELETE FROM document WHERE path = ? AND id <> ?", arguments: [newPath, id])
            let replaced = db.changesCount > 0
            record.path = newPath
            record.device = device
            record.inode = inode
            record.size = size
            record.mtimeNanoseconds = mtimeNanoseconds
            try record.update(db, id: id)
            return replaced
        }
        if replaced { noteDeletion() }
    }

    /// Deletes these documents and their chunks. Unknown ids are ignored.
    public func removeDocuments(ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        try await write { db in
            // Batches stay well under SQLite's limit on bound parameters.
            var start = 0
            while start < ids.count {
                let batch = ids[start..<min(start + 500, ids.count)]
                let placeholders = batch.map { _ in "?" }.joined(separator: ", ")
                try db.execute(
                    sql: "DELETE FROM document WHERE id IN (\(placeholders))",
                    arguments: StatementArguments(Array(batch)))
                start += batch.count
            }
        }
        noteDeletion()
    }

    /// Writes `record` at its path, keeping the id of a row already there and deleting that row's
    /// chunks. Must run inside a transaction. `replaced`: chunks were deleted (an edited file's old
    /// text), which the store must erase as it does a deleted file's (see Store+Forgetting).
    static func upsert(_ record: DocumentRecord, _ db: Database) throws -> (id: Int64, replaced: Bool) {
        if let id = try DocumentRecord.fetchOne(db, path: record.path)?.id {
            try db.execute(sql: "DELETE FROM chunk WHERE documentId = ?", arguments: [id])
            let replaced = db.changesCount > 0
            try record.update(db, id: id)
            return (id, replaced)
        }
        return (try record.insert(db), false)
    }
}
