import Foundation
import GRDB

extension Store {
    /// Registers a folder to index. Throws `StoreError.rootExists` if `path` is already a root.
    public func addRoot(
        path: String, include: [String], exclude: [String], useDefaultExcludes: Bool
    ) async throws -> RootRecord {
        try await write { db in
            if try RootRecord.fetchOne(db, path: path) != nil {
                throw StoreError.rootExists(path)
            }
            let root = RootRecord(
                path: path, include: include, exclude: exclude,
                useDefaultExcludes: useDefaultExcludes, addedAt: Date())
            _ = try root.insert(db)
            // Read back so the caller holds exactly what is stored (dates keep milliseconds only).
            guard let stored = try RootRecord.fetchOne(db, path: path) else {
                throw StoreError.sqlite("root \(path) was inserted but cannot be read back")
            }
            return stored
        }
    }

    /// All roots, by path.
    public func roots() async throws -> [RootRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM root ORDER BY path").map(RootRecord.init(row:))
        }
    }

    /// The root registered at exactly `path`, if any.
    public func root(path: String) async throws -> RootRecord? {
        try await read { db in
            try RootRecord.fetchOne(db, path: path)
        }
    }

    /// Forgets a root with all its documents and chunks. Returns how many documents went, or nil if
    /// no root has this path.
    public func removeRoot(path: String) async throws -> Int? {
        defer { noteDeletion() }
        return try await write { db in
            guard let id = try RootRecord.fetchOne(db, path: path)?.id else { return nil }
            let removed = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM document WHERE rootId = ?", arguments: [id]) ?? 0
            // Documents and chunks go by ON DELETE CASCADE; the chunk triggers clear the FTS index.
            try db.execute(sql: "DELETE FROM root WHERE id = ?", arguments: [id])
            return removed
        }
    }

    /// Replaces a root's exclude globs; returns the root as stored, or nil if no root has this path.
    public func updateExcludes(rootPath: String, _ exclude: [String]) async throws -> RootRecord? {
        try await write { db in
            try RootRecord.updateExcludes(db, path: rootPath, exclude)
            return try RootRecord.fetchOne(db, path: rootPath)
        }
    }
}
