/// A chunk as the chunker makes it, before the store gives it ids.
public struct NewChunk: Sendable, Equatable {
    /// Position within the document, from 0; unique within the document.
    public var ordinal: Int
    public var text: String
    public var section: String?
    /// Half-open byte range in the extracted text; `byteEnd >= byteStart >= 0`.
    public var byteStart: Int
    public var byteEnd: Int
    /// `lineEnd >= lineStart`.
    public var lineStart: Int
    public var lineEnd: Int
    /// First page (or slide); `pageEnd` the last one when later.
    public var page: Int?
    public var pageEnd: Int?
    /// A sheet, chapter or message path, for documents without pages.
    public var part: String?
    public var isOCR: Bool

    public init(
        ordinal: Int, text: String, section: String? = nil, byteStart: Int, byteEnd: Int,
        lineStart: Int, lineEnd: Int, page: Int? = nil, pageEnd: Int? = nil, part: String? = nil, isOCR: Bool = false
    ) {
        self.pageEnd = pageEnd
        self.part = part
        self.isOCR = isOCR
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
