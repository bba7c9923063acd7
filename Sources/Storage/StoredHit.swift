/// One chunk found by a full-text search, with where it lives and why it matched.
public struct StoredHit: Sendable, Equatable {
    public var chunkId: Int64
    public var documentId: Int64
    public var path: String
    public var ordinal: Int
    public var text: String
    public var section: String?
    public var byteStart: Int
    public var byteEnd: Int
    public var lineStart: Int
    public var lineEnd: Int
    public var page: Int?
    public var pageEnd: Int? = nil
    public var part: String? = nil
    public var isOCR = false
    /// The document was read by an extractor (`format` is set): offsets and lines are those of its
    /// extracted text, not of the file.
    public var format: String? = nil
    /// Minus SQLite's BM25 rank: higher is better. Comparable only within one search.
    public var score: Double
    /// A short excerpt of `text` around the matches; "…" marks cut text.
    public var snippet: String
    /// Half-open ranges of matched words in `snippet`, as offsets in Unicode scalars.
    public var highlights: [Range<Int>]

    public init(
        chunkId: Int64, documentId: Int64, path: String, ordinal: Int, text: String, section: String?,
        byteStart: Int, byteEnd: Int, lineStart: Int, lineEnd: Int, page: Int?, score: Double,
        snippet: String, highlights: [Range<Int>]
    ) {
        self.chunkId = chunkId
        self.documentId = documentId
        self.path = path
        self.ordinal = ordinal
        self.text = text
        self.section = section
        self.byteStart = byteStart
        self.byteEnd = byteEnd
        self.lineStart = lineStart
        self.lineEnd = lineEnd
        self.page = page
        self.score = score
        self.snippet = snippet
        self.highlights = highlights
    }
}
