import Access
import Glibc
import Logging
import NIOCore

extension SottoRequestContext {
    /// Who is on the other end of this request's connection: the kernel's `SO_PEERCRED` for the
    /// accepted Unix socket (the client's uid, gid and pid when it connected), resolved to the
    /// user's name and groups. nil when the connection has no peer credentials to read.
    func caller() async -> Caller? {
        guard let provider = channel as? any SocketOptionProvider else { return nil }
        let credentials: PeerCredentials
        do {
            credentials = try await provider.unsafeGetSocketOption(
                level: NIOBSDSocket.OptionLevel(rawValue: SOL_SOCKET), name: NIOBSDSocket.Option(rawValue: SO_PEERCRED)
            ).get()
        } catch {
            return nil
        }
        return CallerDirectory.shared.caller(uid: credentials.uid, gid: credentials.gid, pid: credentials.pid)
    }
}

/// `struct ucred` of <sys/socket.h> (Linux): what `SO_PEERCRED` fills in. Glibc's module map does
/// not export it (it needs `_GNU_SOURCE`), so it is declared here with the same layout.
struct PeerCredentials: Sendable {
    var pid: pid_t = 0
    var uid: uid_t = 0
    var gid: gid_t = 0
}
