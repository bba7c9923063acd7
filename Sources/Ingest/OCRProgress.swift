/// How far the indexer's OCR has got: the documents and pages waiting, and what was recognised since
/// the daemon started, for `sotto status` and `sotto index`.
public struct OCRProgress: Sendable, Equatable {
    /// Documents waiting for OCR, and the one being recognised.
    public var documentsToDo = 0
    /// Their pages (those of a PDF without a text layer, up to `[ocr] max_pages`; a TIFF's pages; 1
    /// for another image).
    public var pagesToDo = 0
    public var documentsDone = 0
    /// Pages OCR went through, recognised or not.
    public var pagesDone = 0
    /// Pages whose text OCR recognised and indexed.
    public var pagesRecognized = 0
    /// Wall-clock seconds spent recognising.
    public var seconds = 0.0
    /// The document being recognised.
    public var currentPath: String?

    public init() {}

    public var pagesPerMinute: Double { seconds > 0 ? Double(pagesDone) * 60 / seconds : 0 }

    /// Nothing waits and nothing is being recognised.
    public var isIdle: Bool { documentsToDo == 0 && currentPath == nil }
}
