import GRDB

extension Chunk {
    /// Inserts the chunk under `documentId`; the FTS triggers index it in the same statement.
    func insert(_ db: Database, documentId: Int64) throws {
        // Cached: a document may bring thousands of chunks.
        let statement = try db.cachedStatement(sql: """
            INSERT INTO chunk (documentId, ordinal, text, section, byteStart, byteEnd, lineStart, lineEnd, page,
                               pageEnd, part, ocr)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [
            documentId, ordinal, text, section, byteStart, byteEnd, lineStart, lineEnd, page, pageEnd, part, isOCR,
        ])
    }
}
