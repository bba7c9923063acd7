import GRDB

// Mapped by hand for the reason given in RootRecord+Database.swift.
extension ChunkRecord {
    init(row: Row) throws {
        self.init(
            id: try row.decode(forColumn: "id"),
            documentId: try row.decode(forColumn: "documentId"),
            chunk: Chunk(
                ordinal: try row.decode(forColumn: "ordinal"),
                text: try row.decode(forColumn: "text"),
                section: try row.decode(forColumn: "section"),
                byteStart: try row.decode(forColumn: "byteStart"),
                byteEnd: try row.decode(forColumn: "byteEnd"),
                lineStart: try row.decode(forColumn: "lineStart"),
                lineEnd: try row.decode(forColumn: "lineEnd"),
                page: try row.decode(forColumn: "page"),
                pageEnd: try row.decode(forColumn: "pageEnd"),
                part: try row.decode(forColumn: "part"),
                isOCR: try row.decode(forColumn: "ocr")))
    }
}
