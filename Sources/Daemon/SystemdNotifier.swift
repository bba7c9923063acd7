public import Foundation
import Glibc

/// Speaks the `sd_notify` protocol (`Type=notify` units) without linking libsystemd: each call sends
/// one datagram of newline-separated `KEY=value` assignments to the socket named by `NOTIFY_SOCKET`.
/// Without that variable (not started by systemd) every call does nothing.
public struct SystemdNotifier: Sendable {
    /// The socket path, `@name` for an abstract socket; nil when notifications are off.
    private let socketPath: String?

    /// Reads `NOTIFY_SOCKET` from `environment`; only filesystem (`/…`) and abstract (`@…`) sockets
    /// are supported.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let value = environment["NOTIFY_SOCKET"] ?? ""
        let isSupported = (value.hasPrefix("/") || value.hasPrefix("@")) && UnixSocketAddress(value) != nil
        socketPath = isSupported ? value : nil
    }

    /// Whether the service manager asked for notifications.
    public var isEnabled: Bool { socketPath != nil }

    /// Sends `state` (e.g. `"READY=1\nSTATUS=Indexing 10/100"`) as one datagram. Failures are
    /// ignored: a missing supervisor must never stop the daemon.
    public func notify(_ state: String) {
        guard let socketPath, let address = UnixSocketAddress(socketPath) else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array(state.utf8)
        _ = address.withSockaddr { socketAddress, length in
            bytes.withUnsafeBytes { buffer in
                sendto(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), socketAddress, length)
            }
        }
    }

    /// Tells systemd that start-up is complete, optionally with a status line.
    public func ready(status: String? = nil) {
        notify(status.map { "READY=1\nSTATUS=\(Self.singleLine($0))" } ?? "READY=1")
    }

    /// Sets the status line shown by `systemctl status`.
    public func status(_ text: String) {
        notify("STATUS=\(Self.singleLine(text))")
    }

    /// Tells systemd that shutdown has begun.
    public func stopping() {
        notify("STOPPING=1")
    }

    /// A newline inside a status would start a new assignment (e.g. a forged `READY=1`).
    private static func singleLine(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: " ")
    }
}
