/// Bounds on what one document may make an extractor do; each exceeded bound is an
/// ``ExtractionFailure`` with code `limitExceeded` and a message naming it.
public struct ExtractionLimits: Sendable, Codable, Equatable {
    /// Total bytes a ZIP container (DOCX, XLSX, PPTX, ODF, EPUB) may inflate to.
    public var maxUncompressedBytes: Int
    /// Largest inflated/compressed ratio of any one ZIP entry.
    public var maxCompressionRatio: Int
    public var maxArchiveEntries: Int
    /// Deepest nesting of XML/HTML elements, MIME parts or JSON values.
    public var maxNestingDepth: Int
    /// Most pages (PDF) read from one document.
    public var maxPages: Int
    /// Largest extracted text, in UTF-8 bytes.
    public var maxTextBytes: Int

    public init(
        maxUncompressedBytes: Int = 256 << 20, maxCompressionRatio: Int = 200, maxArchiveEntries: Int = 10_000,
        maxNestingDepth: Int = 256, maxPages: Int = 5_000, maxTextBytes: Int = 64 << 20
    ) {
        self.maxUncompressedBytes = maxUncompressedBytes
        self.maxCompressionRatio = maxCompressionRatio
        self.maxArchiveEntries = maxArchiveEntries
        self.maxNestingDepth = maxNestingDepth
        self.maxPages = maxPages
        self.maxTextBytes = maxTextBytes
    }
}
