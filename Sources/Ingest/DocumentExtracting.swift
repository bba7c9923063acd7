public import Extract

/// The port through which the indexer has a document read by an extractor, which runs in a sandboxed
/// child process (the daemon's `SandboxedExtractor`); tests may answer in-process.
public protocol DocumentExtracting: Sendable {
    /// Names what reads documents: the extractors' build and the settings they read with (limits,
    /// OCR). A document the extractors failed on is read again only when its file or this changes.
    var fingerprint: String { get }

    /// The most pages OCR reads in one document, or nil when OCR is off: then images are not read and
    /// scanned PDF pages are problems, and nothing is left for later in a pass.
    var ocrPageLimit: Int? { get }

    /// Reads the document open on `descriptor` (a regular file, positioned at its start; the caller
    /// keeps and closes it) as `format`. `fileName` is its name, for messages. With `.survey`, a
    /// document that may need OCR is read without it, its pages for OCR listed (`pagesAwaitingOCR`).
    func extract(
        descriptor: Int32, format: DocumentFormat, fileName: String, ocr: OCRMode
    ) async -> Result<ExtractedDocument, DocumentExtractionError>
}

/// Whether an extraction recognises the scanned pages and images of a document, or only lists them.
public enum OCRMode: Sendable, Equatable {
    /// Recognise them (the indexer's OCR, after the cheap documents of a pass).
    case recognize
    /// Read the rest, list them, recognise nothing: cheap, done in the pass itself.
    case survey
}
