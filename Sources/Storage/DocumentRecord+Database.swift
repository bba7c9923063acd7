import Foundation
import GRDB

// Mapped by hand for the reason given in RootRecord+Database.swift.
extension DocumentRecord {
    init(row: Row) throws {
        let path: String = try row.decode(forColumn: "path")
        let statusText: String = try row.decode(forColumn: "status")
        guard let status = DocumentStatus(rawValue: statusText) else {
            throw StoreError.corrupt("document \(path): unknown status \(statusText)")
        }
        self.init(
            id: try row.decode(forColumn: "id"),
            rootId: try row.decode(forColumn: "rootId"),
            path: path,
            device: try row.decode(forColumn: "device"),
            inode: try row.decode(forColumn: "inode"),
            size: try row.decode(forColumn: "size"),
            mtimeNanoseconds: try row.decode(forColumn: "mtimeNanoseconds"),
            contentHash: try row.decode(forColumn: "contentHash"),
            status: status,
            reason: try row.decode(forColumn: "reason"),
            encoding: try row.decode(forColumn: "encoding"),
            kind: try row.decode(forColumn: "kind"),
            chunkCount: try row.decode(forColumn: "chunkCount"),
            indexedAt: try row.decode(forColumn: "indexedAt"))
        format = try row.decode(forColumn: "format")
        extractor = try row.decode(forColumn: "extractor")
        pageCount = try row.decode(forColumn: "pageCount")
        let problemsJSON: String? = try row.decode(forColumn: "problems")
        problems = problemsJSON.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
        crashCount = try row.decode(forColumn: "crashCount")
        extractedWith = try row.decode(forColumn: "extractedWith")
        ocrPendingPages = try row.decode(forColumn: "ocrPendingPages")
        ocrPages = try row.decode(forColumn: "ocrPages")
    }

    /// Every column but `id`, in the order of `columnArguments`.
    private static let columns = [
        "rootId", "path", "device", "inode", "size", "mtimeNanoseconds", "contentHash", "status", "reason",
        "encoding", "kind", "chunkCount", "indexedAt", "format", "extractor", "pageCount", "problems", "crashCount",
        "extractedWith",
        "ocrPendingPages", "ocrPages",
    ]

    private var columnArguments: StatementArguments {
        [
            rootId, path, device, inode, size, mtimeNanoseconds, contentHash, status.rawValue, reason,
            encoding, kind, chunkCount, indexedAt, format, extractor, pageCount, problemsJSON, crashCount,
            extractedWith,
            ocrPendingPages, ocrPages,
        ]
    }

    private var problemsJSON: String? {
        guard !problems.isEmpty, let data = try? JSONEncoder().encode(problems) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Inserts the document as a new row and returns its id; `id` is ignored.
    func insert(_ db: Database) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO document (\(Self.columns.joined(separator: ", ")))
                VALUES (\(Self.columns.map { _ in "?" }.joined(separator: ", ")))
                """,
            arguments: columnArguments)
        return db.lastInsertedRowID
    }

    /// Overwrites every column of row `id` with this document.
    func update(_ db: Database, id: Int64) throws {
        let assignments = Self.columns.map { "\($0) = ?" }.joined(separator: ", ")
        var arguments = columnArguments
        arguments += [id]
        try db.execute(sql: "UPDATE document SET \(assignments) WHERE id = ?", arguments: arguments)
    }

    static func fetchOne(_ db: Database, path: String) throws -> DocumentRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM document WHERE path = ?", arguments: [path])
            .map(DocumentRecord.init(row:))
    }

    static func fetchOne(_ db: Database, id: Int64) throws -> DocumentRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM document WHERE id = ?", arguments: [id])
            .map(DocumentRecord.init(row:))
    }
}
