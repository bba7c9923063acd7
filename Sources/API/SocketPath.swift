public import Foundation

/// Where the daemon's socket is when nobody says otherwise. Shared by `sottod` and `sotto` so they meet.
public enum SocketPath {
    /// The system service's socket.
    public static let system = "/run/sotto/sotto.sock"

    /// `$XDG_RUNTIME_DIR/sotto/sotto.sock`; root without a runtime directory uses the system path;
    /// anyone else without one uses `/tmp/sotto-UID/sotto.sock`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            return runtime + "/sotto/sotto.sock"
        }
        let uid = getuid()
        if uid == 0 { return system }
        return "/tmp/sotto-\(uid)/sotto.sock"
    }

    /// Precedence: an explicit flag, then `SOTTO_SOCKET`, then the configured value, then the default.
    public static func resolve(
        flag: String?, configured: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let env = environment["SOTTO_SOCKET"], !env.isEmpty { return env }
        if let configured, !configured.isEmpty { return configured }
        return defaultPath(environment: environment)
    }
}
