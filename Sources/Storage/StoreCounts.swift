/// How much the index holds.
public struct StoreCounts: Sendable, Equatable {
    public var roots: Int
    /// All documents, whatever their status; `indexed + failed + skipped`.
    public var documents: Int
    public var indexed: Int
    public var failed: Int
    public var skipped: Int
    public var chunks: Int
    /// Failed documents that killed the extractor twice: not read again until they change.
    public var quarantined = 0
    /// Indexed documents by format ("pdf", "html", …) or, for text read in-process, by kind
    /// ("markdown", "code", …).
    public var byFormat: [String: Int] = [:]

    public init(roots: Int, documents: Int, indexed: Int, failed: Int, skipped: Int, chunks: Int) {
        self.roots = roots
        self.documents = documents
        self.indexed = indexed
        self.failed = failed
        self.skipped = skipped
        self.chunks = chunks
    }
}
