import API
import ArgumentParser

/// `sotto socket`: the socket path every other command would use, for other clients such as curl.
struct SocketCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "socket", abstract: "Print the path of the daemon's socket that sotto uses.",
        discussion: """
            The same path every other command connects to: --socket PATH, else SOTTO_SOCKET, else \
            $XDG_RUNTIME_DIR/sotto/sotto.sock, else /run/sotto/sotto.sock for root (the system service's) and \
            /tmp/sotto-UID/sotto.sock for anyone else. Does not contact the daemon. For other HTTP clients: \
            curl --unix-socket "$(sotto socket)" http://localhost/v1/status
            """)

    @OptionGroup var connection: ConnectionOptions

    func run() {
        print(connection.socketPath)
    }
}
