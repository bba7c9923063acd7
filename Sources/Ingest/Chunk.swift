/// A passage of a document: the unit that is embedded, searched and cited.
public struct Chunk: Sendable, Equatable {
    /// Position in the document, from 0.
    public var ordinal: Int
    /// Exactly the file's text between `byteStart` and `byteEnd`.
    public var text: String
    /// Heading path, e.g. "Lease > Term"; nil before the first heading and in files without headings.
    public var section: String?
    /// Half-open byte range in the file (not in `text`), so citations point at the file itself.
    public var byteStart: Int
    public var byteEnd: Int
    /// First and last line, 1-based and inclusive; lines end with "\n".
    public var lineStart: Int
    public var lineEnd: Int

    public init(ordinal: Int, text: String, section: String?, byteStart: Int, byteEnd: Int, lineStart: Int, lineEnd: Int) {
        self.ordinal = ordinal
        self.text = text
        self.section = section
        self.byteStart = byteStart
        self.byteEnd = byteEnd
        self.lineStart = lineStart
        self.lineEnd = lineEnd
    }
}
