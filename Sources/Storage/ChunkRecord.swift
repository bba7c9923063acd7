/// A stored passage of a document. Stored in table `chunk`; `(documentId, ordinal)` is unique.
public struct ChunkRecord: Codable, Sendable, Equatable {
    public var id: Int64?
    public var documentId: Int64
    /// Position of the chunk within its document, from 0.
    public var ordinal: Int
    public var text: String
    /// The heading the chunk sits under, if the format has headings.
    public var section: String?
    /// Half-open byte range in the extracted text.
    public var byteStart: Int
    public var byteEnd: Int
    public var lineStart: Int
    public var lineEnd: Int
    /// Page number for paged formats (PDF), the slide for presentations; the first one.
    public var page: Int?
    /// The last page, when the chunk spans pages.
    public var pageEnd: Int?
    /// A sheet, chapter or message path.
    public var part: String?
    public var isOCR: Bool

    public init(
        id: Int64? = nil, documentId: Int64, ordinal: Int, text: String, section: String?,
        byteStart: Int, byteEnd: Int, lineStart: Int, lineEnd: Int, page: Int?,
        pageEnd: Int? = nil, part: String? = nil, isOCR: Bool = false
    ) {
        self.pageEnd = pageEnd
        self.part = part
        self.isOCR = isOCR
        self.id = id
        self.documentId = documentId
        self.ordinal = ordinal
        self.text = text
        self.section = section
        self.byteStart = byteStart
        self.byteEnd = byteEnd
        self.lineStart = lineStart
        self.lineEnd = lineEnd
        self.page = page
    }
}
