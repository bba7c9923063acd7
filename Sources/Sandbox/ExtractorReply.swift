public import Extract

/// What `sottod extract` writes to its standard output, as one JSON document: the document, or why
/// it could not be read. Anything else on the pipe (nothing, a truncated document) means the child
/// did not finish.
public enum ExtractorReply: Sendable, Codable, Equatable {
    case document(ExtractedDocument)
    case failure(ExtractionFailure)
}
