import Glibc

/// Why the daemon's Unix socket path cannot be used.
public enum SocketGuardError: Error, Sendable, Equatable {
    case alreadyRunning(path: String)
    case notASocket(path: String)
    case pathTooLong(path: String, max: Int)
    case cannotCreateDirectory(path: String, reason: String)
    case cannotRemoveStale(path: String, reason: String)
    case cannotSetPermissions(path: String, reason: String)

    /// What went wrong and what to do about it.
    public var message: String {
        switch self {
        case .alreadyRunning(let path):
            "another sottod is already listening on \(path); stop it first (systemctl stop sottod) or choose another --socket"
        case .notASocket(let path):
            "\(path) exists and is not a socket; move it away or choose another --socket"
        case .pathTooLong(let path, let max):
            "the socket path \(path) is \(path.utf8.count) bytes, but a Unix socket path can hold at most \(max); choose a shorter --socket"
        case .cannotCreateDirectory(let path, let reason):
            "cannot create the socket directory \(path): \(reason); create it yourself or choose another --socket"
        case .cannotRemoveStale(let path, let reason):
            "cannot remove the old socket \(path): \(reason); remove it yourself or choose another --socket"
        case .cannotSetPermissions(let path, let reason):
            "cannot set the permissions of \(path): \(reason); check the file system and the owner of the socket directory"
        }
    }
}

/// Makes a Unix socket path ready for the server to bind: parent directory present and private,
/// no leftover socket from a crashed run, and no second daemon on the same path.
public enum SocketGuard {
    /// Mode of a directory we own: group members (the `sotto` group) may reach the socket.
    static let directoryMode: mode_t = 0o750
    /// Mode of the socket itself: owner and group may connect.
    static let socketMode: mode_t = 0o660
    /// Only a directory with this name is treated as ours when it already exists.
    static let ownDirectoryName = "sotto"

    /// Creates the parent directory (mode 0750) if missing, and tightens an existing one to 0750 if
    /// it is named `sotto` and owned by us; shared directories such as `/run` or `/tmp` are never
    /// touched. Then clears the path: a stale socket (nobody accepts) is removed, a live one is
    /// `.alreadyRunning`, anything else is `.notASocket`.
    public static func prepare(path: String) throws(SocketGuardError) {
        guard UnixSocketAddress(path) != nil, !path.hasPrefix("@") else {
            throw .pathTooLong(path: path, max: UnixSocketAddress.maxPathBytes)
        }
        try prepareDirectory(parent(of: path))

        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw .cannotRemoveStale(path: path, reason: errorText(errno))
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else { throw .notASocket(path: path) }
        switch probe(path) {
        case .live:
            throw .alreadyRunning(path: path)
        case .unknown(let code):
            // Cannot tell whether a daemon is behind it (e.g. EACCES): removing it could cut off a
            // running daemon, so leave the decision to a human.
            throw .cannotRemoveStale(path: path, reason: "cannot tell whether it is in use: \(errorText(code))")
        case .stale:
            guard unlink(path) == 0 || errno == ENOENT else {
                throw .cannotRemoveStale(path: path, reason: errorText(errno))
            }
        }
    }

    /// After bind: lets the owner and the group (and nobody else) connect.
    public static func restrictPermissions(path: String) throws(SocketGuardError) {
        guard chmod(path, socketMode) == 0 else {
            throw .cannotSetPermissions(path: path, reason: errorText(errno))
        }
    }

    /// Whether something accepts connections on the socket at `path`.
    public static func isLive(path: String) -> Bool {
        if case .live = probe(path) { return true }
        return false
    }

    private enum Probe {
        case live, stale, unknown(errno: Int32)
    }

    private static func probe(_ path: String) -> Probe {
        guard let address = UnixSocketAddress(path) else { return .stale }
        // Non-blocking, so a listener with a full backlog answers EAGAIN instead of hanging us.
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        let fd = socket(AF_UNIX, type, 0)
        guard fd >= 0 else { return .unknown(errno: errno) }
        defer { close(fd) }
        let result = address.withSockaddr { connect(fd, $0, $1) }
        if result == 0 { return .live }
        switch errno {
        case EAGAIN, EINPROGRESS: return .live
        case ECONNREFUSED, ENOENT: return .stale
        case let code: return .unknown(errno: code)
        }
    }

    private static func prepareDirectory(_ directory: String) throws(SocketGuardError) {
        var info = stat()
        if stat(directory, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw .cannotCreateDirectory(path: directory, reason: "a file that is not a directory is in the way")
            }
            let isOurs = lastComponent(of: directory) == ownDirectoryName && info.st_uid == geteuid()
            let permissions = info.st_mode & 0o7777
            if isOurs, permissions & ~directoryMode & 0o777 != 0 {
                // Keep stricter owner choices and setgid; drop only what is more open than 0750.
                // Best effort: the path is still usable if this fails, just less private.
                _ = chmod(directory, permissions & (directoryMode | S_ISGID))
            }
            return
        }
        guard errno == ENOENT else { throw .cannotCreateDirectory(path: directory, reason: errorText(errno)) }
        try createDirectories(directory)
    }

    /// Creates `directory` and its missing ancestors like `mkdir -p`, each with mode 0750.
    private static func createDirectories(_ directory: String) throws(SocketGuardError) {
        var info = stat()
        if stat(directory, &info) == 0 { return }
        guard errno == ENOENT else { throw .cannotCreateDirectory(path: directory, reason: errorText(errno)) }
        let parentDirectory = parent(of: directory)
        if parentDirectory != directory { try createDirectories(parentDirectory) }
        guard mkdir(directory, directoryMode) == 0 || errno == EEXIST else {
            throw .cannotCreateDirectory(path: directory, reason: errorText(errno))
        }
        // mkdir applies the umask; we just created it, so set the mode we promise.
        _ = chmod(directory, directoryMode)
    }

    private static func parent(of path: String) -> String {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }

    private static func lastComponent(of path: String) -> Substring {
        path.split(separator: "/").last ?? ""
    }

    private static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
