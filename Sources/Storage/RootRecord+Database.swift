import Foundation
import GRDB

// Mapping by hand rather than conforming to GRDB's record protocols: such a conformance on a
// public type would have to be public, and would pull GRDB into every module that uses Storage.
extension RootRecord {
    init(row: Row) throws {
        let path: String = try row.decode(forColumn: "path")
        self.init(
            id: try row.decode(forColumn: "id"),
            path: path,
            include: try Self.decodePatterns(row.decode(forColumn: "include"), column: "include", path: path),
            exclude: try Self.decodePatterns(row.decode(forColumn: "exclude"), column: "exclude", path: path),
            useDefaultExcludes: try row.decode(forColumn: "useDefaultExcludes"),
            addedAt: try row.decode(forColumn: "addedAt"))
    }

    /// Inserts the root and returns its new id.
    func insert(_ db: Database) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO root (path, include, exclude, useDefaultExcludes, addedAt)
                VALUES (?, ?, ?, ?, ?)
                """,
            arguments: [
                path, try Self.encodePatterns(include), try Self.encodePatterns(exclude),
                useDefaultExcludes, addedAt,
            ])
        return db.lastInsertedRowID
    }

    static func fetchOne(_ db: Database, path: String) throws -> RootRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM root WHERE path = ?", arguments: [path])
            .map(RootRecord.init(row:))
    }

    static func updateExcludes(_ db: Database, path: String, _ exclude: [String]) throws {
        try db.execute(sql: "UPDATE root SET exclude = ? WHERE path = ?", arguments: [try encodePatterns(exclude), path])
    }

    private static func encodePatterns(_ patterns: [String]) throws -> String {
        String(decoding: try JSONEncoder().encode(patterns), as: UTF8.self)
    }

    private static func decodePatterns(_ json: String, column: String, path: String) throws -> [String] {
        do {
            return try JSONDecoder().decode([String].self, from: Data(json.utf8))
        } catch {
            throw StoreError.corrupt("root \(path): column \(column) is not a JSON array of strings")
        }
    }
}
