public import Extract

/// The port through which the indexer has a document read by an extractor, which runs in a sandboxed
/// child process (the daemon's `SandboxedExtractor`); tests may answer in-process.
public protocol DocumentExtracting: Sendable {
    /// Reads the document open on `descriptor` (a regular file, positioned at its start; the caller
    /// keeps and closes it) as `format`. `fileName` is its name, for messages.
    func extract(
        descriptor: Int32, format: DocumentFormat, fileName: String
    ) async -> Result<ExtractedDocument, DocumentExtractionError>
}
