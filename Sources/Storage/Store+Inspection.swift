import GRDB

// Internal views of the database itself, for tests and diagnostics; not part of the public API.
extension Store {
    /// SQLite's journal mode, "wal" for a store opened by this type.
    func journalMode() async throws -> String {
        try await read { db in
            try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? ""
        }
    }

    /// Names of the tables, indexes and triggers in the schema, sorted.
    func schemaNames() async throws -> [String] {
        try await read { db in
            try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
        }
    }

    /// Runs raw SQL in a transaction; lets tests set up states the public API cannot reach.
    func execute(sql: String) async throws {
        try await write { db in
            try db.execute(sql: sql)
        }
    }
}
