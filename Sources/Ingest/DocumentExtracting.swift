public import Extract

/// The port through which the indexer has a document read by an extractor, which runs in a sandboxed
/// child process (the daemon's `SandboxedExtractor`); tests may answer in-process.
public protocol DocumentExtracting: Sendable {
    /// Names what reads documents: the extractors' build and the settings they read with (limits,
    /// OCR). A document the extractors failed on is read again only when its file or this changes.
    var fingerprint: String { get }

    /// Reads the document open on `descriptor` (a regular file, positioned at its start; the caller
    /// keeps and closes it) as `format`. `fileName` is its name, for messages.
    func extract(
        descriptor: Int32, format: DocumentFormat, fileName: String
    ) async -> Result<ExtractedDocument, DocumentExtractionError>
}
