public import Extract

/// Why an extracted document has no text: the extractor said why, or the extractor itself did not
/// survive the document. Each message is what `sotto documents --failed` shows.
public enum DocumentExtractionError: Error, Sendable, Equatable {
    /// The extractor read the file and explains why it has no text (corrupt, encrypted, no text layer…).
    case unreadable(ExtractionFailure)
    /// The child died of a signal, e.g. "SIGSEGV".
    case crashed(signal: String)
    /// The child made a system call the sandbox forbids (SIGSYS): exec, sockets, new processes.
    case forbiddenSystemCall
    case timedOut(seconds: Int)
    case outOfMemory(limitBytes: Int)
    case cpuTimeExceeded(seconds: Int)
    case outputTooLarge(limitBytes: Int)
    /// The child could not be started, refused to run, or answered something unreadable.
    case extractorFailed(String)
    /// The daemon is stopping and killed the child: nothing is known of the document, which is read
    /// again at the next start (never recorded as a failure).
    case cancelled

    /// The document killed (or would have kept busy) the extractor: twice, and it is quarantined.
    public var killedExtractor: Bool {
        switch self {
        case .crashed, .forbiddenSystemCall, .timedOut, .outOfMemory, .cpuTimeExceeded, .outputTooLarge: return true
        case .unreadable, .extractorFailed, .cancelled: return false
        }
    }

    public var message: String {
        switch self {
        case .unreadable(let failure): return failure.message
        case .crashed(let signal): return "extractor crashed (\(signal))"
        case .forbiddenSystemCall: return "extractor stopped by the sandbox: it tried a forbidden system call (SIGSYS)"
        case .timedOut(let seconds): return "timed out after \(seconds) s"
        case .outOfMemory(let limit): return "ran out of memory (limit \(Self.size(limit)))"
        case .cpuTimeExceeded(let seconds): return "used more than \(seconds) s of CPU time"
        case .outputTooLarge(let limit): return "extractor output is larger than \(Self.size(limit))"
        case .extractorFailed(let reason): return "extractor failed: \(reason)"
        case .cancelled: return "extraction stopped: the daemon is stopping"
        }
    }

    /// "1 GB", "512 MB".
    static func size(_ bytes: Int) -> String {
        if bytes >= 1 << 30, bytes % (1 << 30) == 0 { return "\(bytes >> 30) GB" }
        return "\(bytes >> 20) MB"
    }
}
