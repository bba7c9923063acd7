/// What can go wrong talking to the daemon, each with a message that tells the user what to do next.
public enum ClientError: Error, Sendable, Equatable {
    /// Nothing listens on the socket (no file, or a stale file from a crash).
    case daemonNotRunning(socket: String)
    /// The socket exists but this user may not connect to it.
    case permissionDenied(socket: String)
    /// The socket path does not fit in `sockaddr_un`.
    case socketPathTooLong(socket: String)
    /// The daemon answered with an error document.
    case server(status: Int, code: String, message: String)
    /// The daemon's answer was not the HTTP/JSON we expect.
    case protocolError(String)
    /// The connection broke or timed out.
    case connection(String)

    public var message: String {
        switch self {
        case .daemonNotRunning(let socket):
            return "sottod is not running on \(socket); start it with `sottod` (or `systemctl --user start sottod`), "
                + "or point to its socket with --socket PATH or SOTTO_SOCKET"
        case .permissionDenied(let socket):
            return "permission denied connecting to \(socket); for the system service, add yourself to the group "
                + "`sotto` (sudo usermod -aG sotto $USER, then log in again)"
        case .socketPathTooLong(let socket):
            return "the socket path \(socket) is longer than the 107 bytes a Unix socket path may have; choose a shorter one"
        case .server(let status, let code, let message):
            return "sottod answered \(status) (\(code)): \(message)"
        case .protocolError(let detail):
            return "unexpected answer from sottod: \(detail)"
        case .connection(let detail):
            return "lost the connection to sottod: \(detail)"
        }
    }
}
