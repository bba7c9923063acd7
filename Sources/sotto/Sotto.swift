import API
import ArgumentParser
import Foundation

@main
struct Sotto: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sotto",
        abstract: "Search your own documents and ask them questions, privately: the client of the sottod daemon.",
        discussion: """
            Talks to sottod over its Unix socket: --socket PATH, else SOTTO_SOCKET, else \
            $XDG_RUNTIME_DIR/sotto/sotto.sock, else /run/sotto/sotto.sock for root (the system service's);             `sotto socket` prints the one it uses.
            """,
        version: "0.1.0",
        subcommands: [
            StatusCommand.self, SourcesCommand.self, IndexCommand.self, SearchCommand.self, AskCommand.self, ChatCommand.self,
            DocumentsCommand.self, ForgetCommand.self, AuditCommand.self, SocketCommand.self, MCPCommand.self,
        ])

    /// `--socket PATH` may also come before the subcommand (`sotto --socket S status`); it is moved to
    /// the end, where every subcommand's options are parsed.
    static func main() {
        main(Self.movingGlobalOptions(Array(CommandLine.arguments.dropFirst())))
    }

    static func movingGlobalOptions(_ arguments: [String]) -> [String] {
        var rest = arguments
        var moved: [String] = []
        var index = 0
        while index < rest.count, rest[index].hasPrefix("-"), rest[index] != "--" {
            if rest[index] == "--socket", index + 1 < rest.count {
                moved += rest[index...index + 1]
                rest.removeSubrange(index...index + 1)
            } else if rest[index].hasPrefix("--socket=") {
                moved.append(rest.remove(at: index))
            } else {
                index += 1
            }
        }
        return rest + moved
    }
}

/// Options every subcommand takes.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The daemon's Unix socket.", valueName: "path"))
    var socket: String?

    var socketPath: String { SocketPath.resolve(flag: socket) }

    func makeClient(timeout: TimeInterval = 60) -> SottoClient {
        SottoClient(socketPath: socketPath, timeout: timeout)
    }
}

/// Runs a client call and turns its failures into a message on stderr and a non-zero exit.
func withClientErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ClientError {
        Terminal.printError(error.message)
        switch error {
        case .daemonNotRunning: throw ExitCode(3)
        case .permissionDenied: throw ExitCode(4)
        default: throw ExitCode(1)
        }
    }
}
