/// A stored passage: the ``Chunk`` the indexer saved, with the ids the store gave it. A row of
/// table `chunk`; `(documentId, ordinal)` is unique. The chunk's fields read through it
/// (`record.text`, `record.page`), so one type describes a passage and this one only adds where it is.
@dynamicMemberLookup
public struct ChunkRecord: Sendable, Equatable {
    public var id: Int64?
    public var documentId: Int64
    public var chunk: Chunk

    public init(id: Int64? = nil, documentId: Int64, chunk: Chunk) {
        self.id = id
        self.documentId = documentId
        self.chunk = chunk
    }

    public subscript<Value>(dynamicMember field: KeyPath<Chunk, Value>) -> Value {
        chunk[keyPath: field]
    }
}
