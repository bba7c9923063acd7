/// Why a file's text could not be extracted. The index records the message next to the file, so each
/// one says what happened and what, if anything, the user can do.
public enum ExtractionError: Error, Sendable, Equatable {
    /// Not text: a known binary format, NUL bytes or control characters.
    case binary(reason: String)
    case tooLarge(size: Int64, limit: Int64)
    case unreadable(reason: String)
    /// The file disappeared before or while it was read.
    case vanished
    /// A directory, fifo, socket or device.
    case notRegularFile
    /// A document format with text in it that Sotto cannot extract yet, e.g. "PDF".
    case unsupportedType(String)
    /// The process (EMFILE) or the system (ENFILE) has no file descriptor to spare: a passing
    /// condition, so the file is tried again later rather than recorded as failed.
    case descriptorsExhausted

    public var message: String {
        switch self {
        case .binary(let reason):
            return "not a text file (\(reason)); binary files are not indexed"
        case .tooLarge(let size, let limit):
            return "file is \(ExtractionError.megabytes(size)) MB, larger than the \(ExtractionError.megabytes(limit)) MB limit; raise the root's maximum file size to index it"
        case .unreadable(let reason):
            return "cannot read the file: \(reason)"
        case .vanished:
            return "the file was deleted before it could be read"
        case .notRegularFile:
            return "not a regular file"
        case .descriptorsExhausted:
            return "too many open files; it is tried again shortly"
        case .unsupportedType(let format):
            return "\(format) files are not supported yet; only plain text, Markdown, reStructuredText and source files are indexed"
        }
    }

    private static func megabytes(_ bytes: Int64) -> String {
        let tenths = (bytes * 10 + (1 << 19)) >> 20
        return tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10).\(tenths % 10)"
    }
}
