/// One numbered passage given to the model: a retrieved chunk (or adjacent chunks of one document
/// merged), or a passage the request supplied itself.
public struct AnswerSource: Sendable, Equatable {
    /// The number the model cites it by, from 1; 1 is the most relevant.
    public var number: Int
    /// The document's path, or the title of a supplied passage.
    public var path: String
    /// nil for a passage the request supplied.
    public var documentId: Int64?
    public var chunkIds: [Int64]
    public var text: String
    public var section: String?
    /// Half-open byte range in the file; for a supplied passage, in its text.
    public var byteStart: Int
    public var byteEnd: Int
    /// 1-based, inclusive.
    public var lineStart: Int
    public var lineEnd: Int
    /// Page for paged formats; nil for plain text. `pageEnd` when the passage spans pages.
    public var page: Int?
    public var pageEnd: Int?
    /// A sheet, chapter or message path, for documents without pages.
    public var part: String?
    public var isOCR = false
    /// Offsets and lines are those of an extractor's text, not of the file.
    public var isExtracted = false
    /// The retrieval score (higher is better); 0 for supplied passages.
    public var score: Double

    public init(
        number: Int, path: String, documentId: Int64?, chunkIds: [Int64], text: String, section: String?,
        byteStart: Int, byteEnd: Int, lineStart: Int, lineEnd: Int, page: Int?, score: Double
    ) {
        self.number = number
        self.path = path
        self.documentId = documentId
        self.chunkIds = chunkIds
        self.text = text
        self.section = section
        self.byteStart = byteStart
        self.byteEnd = byteEnd
        self.lineStart = lineStart
        self.lineEnd = lineEnd
        self.page = page
        self.score = score
    }
}

/// A passage supplied with the request instead of retrieved (the evaluation's gold-passage condition).
public struct SuppliedPassage: Sendable, Equatable {
    public var title: String
    public var text: String
    public init(title: String, text: String) {
        self.title = title
        self.text = text
    }
}
