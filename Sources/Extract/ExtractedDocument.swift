/// The readable text of one non-plain-text document (PDF, Office, HTML, EPUB, e-mail, notebook), with
/// the locators a person uses to find a passage again: pages, slides, sheets, messages.
///
/// `text` is Markdown-shaped so the chunker finds sections the way it does in `.md` files: a title or
/// heading is a line `# Title` (`##`, `###` for deeper levels), paragraphs are separated by a blank line,
/// and parts (pages, slides, messages) are separated by a blank line, so no paragraph spans two parts
/// unless the document's own paragraph does. It is produced inside the extraction sandbox and crosses
/// the pipe to the daemon as JSON, so it is plain data.
public struct ExtractedDocument: Sendable, Codable, Equatable {
    public var format: DocumentFormat
    /// The extractor and the library that read it, e.g. "pdf (poppler 22.12.0)", "docx".
    public var extractor: String
    public var text: String
    /// Where each stretch of `text` comes from, ascending and non-overlapping; together they need not
    /// cover all of `text` (a title line may sit outside every part).
    public var parts: [DocumentPart]
    /// Pages (PDF), slides (PPTX, ODP) or sheets (XLSX, ODS) in the file; nil where the format has none.
    public var pageCount: Int?
    /// What could not be read but did not stop the rest, each a sentence for `sotto documents`:
    /// "page 4 has no text layer", "attachment scan.tiff: image files are not read".
    public var problems: [String]
    /// Pages (1-based; 1 for a single image) a survey found for OCR and left unread: the indexer has
    /// them recognised later. nil when the document was not surveyed.
    public var pagesAwaitingOCR: [Int]? = nil

    public init(
        format: DocumentFormat, extractor: String, text: String, parts: [DocumentPart] = [],
        pageCount: Int? = nil, problems: [String] = []
    ) {
        self.format = format
        self.extractor = extractor
        self.text = text
        self.parts = parts
        self.pageCount = pageCount
        self.problems = problems
    }
}

/// A stretch of an ``ExtractedDocument``'s text and where a person finds it in the original.
public struct DocumentPart: Sendable, Codable, Equatable {
    /// Half-open range of offsets into `text.utf8`.
    public var start: Int
    public var end: Int
    /// 1-based page (PDF, or a PDF inside a message) or slide number.
    public var page: Int?
    /// A name a person recognises when there is no page: `Sheet "March"`, a chapter title, or a
    /// message path such as `"Lease renewal" › lease.pdf` (messages: subject, then attachment names).
    public var label: String?
    /// The text was recognised from an image (OCR) and may hold recognition errors.
    public var isOCR: Bool

    public init(start: Int, end: Int, page: Int? = nil, label: String? = nil, isOCR: Bool = false) {
        self.start = start
        self.end = end
        self.page = page
        self.label = label
        self.isOCR = isOCR
    }
}
