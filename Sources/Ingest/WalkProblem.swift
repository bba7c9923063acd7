import Glibc

/// Something under a root that could not be walked. The walk goes on; the problem is reported so the
/// user can see why a file is missing from the index.
public struct WalkProblem: Sendable, Equatable, Error {
    /// Absolute path for display. Bytes that are not valid UTF-8 are shown escaped, as `\xff`.
    public var path: String
    /// What went wrong, in words, e.g. "symbolic link loop".
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

extension WalkProblem {
    static let symbolicLinkLoop = "symbolic link loop"
    static let brokenSymbolicLink = "broken symbolic link"
    static let invalidUTF8 = "path is not valid UTF-8 (bytes shown escaped); rename it to index it"

    /// A reason for a failed system call on `path`; `reading` says what was being done.
    static func reason(errno code: Int32, reading what: String) -> String {
        switch code {
        case EACCES, EPERM: return "permission denied \(what)"
        case ELOOP: return symbolicLinkLoop
        case ENAMETOOLONG: return "path is too long"
        case EMFILE, ENFILE: return "too many open files \(what); raise the limit (ulimit -n)"
        case EIO: return "input/output error \(what)"
        default: return "error \(what): \(String(cString: strerror(code)))"
        }
    }
}
