/// A passage of a document as the chunker makes it and the store takes it: the unit that is
/// embedded, searched and cited. Stored, it becomes a ``ChunkRecord`` (the table's row, with ids).
public struct Chunk: Sendable, Equatable {
    /// Position in the document, from 0; unique within the document.
    public var ordinal: Int
    /// Exactly the document's text between `byteStart` and `byteEnd`.
    public var text: String
    /// Heading path, e.g. "Lease > Term"; nil before the first heading and in files without headings.
    public var section: String?
    /// Half-open byte range in the file (not in `text`), so citations point at the file itself; for
    /// an extracted document (PDF, Office, …) in its extracted text, where the file has no lines.
    /// `byteEnd >= byteStart >= 0`.
    public var byteStart: Int
    public var byteEnd: Int
    /// First and last line, 1-based and inclusive; lines end with "\n". `lineEnd >= lineStart`.
    public var lineStart: Int
    public var lineEnd: Int
    /// First page (or slide) the chunk is on, and its last page when that is a later one.
    public var page: Int?
    public var pageEnd: Int?
    /// The part a person recognises when there is no page: `Sheet "March"`, a message's subject.
    public var part: String?
    /// Some of the text was recognised from an image.
    public var isOCR: Bool

    public init(
        ordinal: Int, text: String, section: String? = nil, byteStart: Int, byteEnd: Int,
        lineStart: Int, lineEnd: Int, page: Int? = nil, pageEnd: Int? = nil, part: String? = nil, isOCR: Bool = false
    ) {
        self.ordinal = ordinal
        self.text = text
        self.section = section
        self.byteStart = byteStart
        self.byteEnd = byteEnd
        self.lineStart = lineStart
        self.lineEnd = lineEnd
        self.page = page
        self.pageEnd = pageEnd
        self.part = part
        self.isOCR = isOCR
    }
}
