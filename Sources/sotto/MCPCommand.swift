import API
import ArgumentParser
import Dispatch
import Foundation
import MCP

/// `sotto mcp`: a Model Context Protocol server on standard input and output, for agents and
/// editors. It is a client of the daemon like the rest of `sotto`: it reaches the index through
/// the socket as the person who runs it, so it sees what they may see and reads no file itself.
struct MCPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the Model Context Protocol on standard input/output (for agents and editors).",
        discussion: """
            Tools: search, ask, read_passage, list_sources. Configure an MCP client to run \
            `sotto mcp` (add --socket PATH if the daemon is not at the default socket). Messages go to \
            standard output; nothing else is printed there.
            """)

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let tools = SottoTools(client: connection.makeClient(timeout: 900))
        let finished = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        // ArgumentParser runs this synchronously; the server runs on the cooperative pool meanwhile.
        Task {
            do {
                let server = Server(
                    name: "sotto", version: "0.1.0", title: "Sotto: your own documents",
                    instructions: SottoTools.instructions, capabilities: .init(tools: .init(listChanged: false)))
                await server.withMethodHandler(ListTools.self) { _ in .init(tools: SottoTools.list) }
                await server.withMethodHandler(CallTool.self) { call in await tools.call(call.name, call.arguments ?? [:]) }
                try await server.start(transport: StdioTransport())
                await server.waitUntilCompleted()
            } catch {
                failure.set("sotto mcp: \(error)")
            }
            finished.signal()
        }
        finished.wait()
        if let message = failure.message {
            Terminal.printError(message)
            throw ExitCode(1)
        }
    }
}

/// The error a background task hands back to the waiting command.
private final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: String?
    var message: String? { lock.withLock { stored } }
    func set(_ message: String) { lock.withLock { stored = message } }
}
