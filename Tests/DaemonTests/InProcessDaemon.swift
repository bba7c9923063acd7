import Answering
import Foundation
import Logging
import Testing
@testable import API
@testable import Daemon

/// A real `SottoDaemon` running in this process on a temporary socket, with an injected decoder, so
/// tests can drive `/v1/ask` over the socket with a model whose speed they choose.
final class InProcessDaemon: @unchecked Sendable {
    let directory: URL
    let socketPath: String
    let documents: URL
    let model: EchoAnswerModel
    private var task: Task<Void, any Error>?

    static let files: [String: String] = [
        "contracts/berlin-lease.md": """
            # Commercial lease: Berlin office

            The landlord is Spreeufer Immobilien GmbH. The tenant is Quillfeather Labs.

            The lease begins on 1 March 2024 and ends on 28 February 2029.
            """,
        "notes/standup.txt": "Standup notes.\n\nAda is refactoring the invoice exporter.\nGrace reviews the backup script.\n",
    ]

    /// `decoderConfig` is added to the configuration file; `loadDelay` holds the loader back.
    init(model: EchoAnswerModel, decoderConfig: String = "", loadDelay: Duration = .zero, installModel: Bool = true) async throws {
        directory = URL(fileURLWithPath: "/tmp/sotto-dt-\(UUID().uuidString.prefix(8))")
        let models = directory.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        if installModel { try Data("GGUF".utf8).write(to: models.appendingPathComponent("fake.gguf")) }
        documents = directory.appendingPathComponent("docs")
        for (path, text) in Self.files {
            let url = documents.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        socketPath = directory.appendingPathComponent("s.sock").path
        let configFile = directory.appendingPathComponent("sottod.toml").path
        try """
            allow_unlisted_models = true
            [index]
            debounce_ms = 50
            [encoder]
            enabled = false
            [decoder]
            \(decoderConfig)
            [[decoders]]
            name = "fake"
            file = "fake.gguf"
            """.write(toFile: configFile, atomically: true, encoding: .utf8)
        let configuration = try DaemonConfiguration.load(
            file: configFile, socket: socketPath, database: directory.appendingPathComponent("index.sqlite").path,
            models: models.path, environment: ["HOME": directory.path])
        self.model = model
        let loader: DecoderLoader = { url, _, _ in
            guard url.lastPathComponent == "fake.gguf" else { throw POSIXError(.ENOENT) }
            if loadDelay > .zero { Thread.sleep(forTimeInterval: Double(loadDelay.components.seconds) + Double(loadDelay.components.attoseconds) / 1e18) }
            return model
        }
        var logger = Logger(label: "daemon-tests")
        logger.logLevel = .critical
        let daemon = SottoDaemon(configuration: configuration, logger: logger, decoderLoader: loader)
        task = Task { try await daemon.run() }
        let deadline = Date().addingTimeInterval(120)
        while (try? await run { try $0.status() }) == nil {
            guard Date() < deadline else { throw POSIXError(.ETIMEDOUT) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// A daemon with its documents indexed and its decoder ready.
    static func ready(model: EchoAnswerModel, decoderConfig: String = "") async throws -> InProcessDaemon {
        let daemon = try await InProcessDaemon(model: model, decoderConfig: decoderConfig)
        try await daemon.index()
        try await daemon.waitForDecoder()
        return daemon
    }

    /// Clients wait up to two minutes for a reply: in a whole-suite run on two cores the daemon's tasks
    /// share the pool with every other suite's, and a 20 s wait ran out ("timed out waiting for sottod").
    var client: SottoClient { SottoClient(socketPath: socketPath, timeout: 120) }

    /// Runs blocking client calls on a thread of their own: a test's socket calls must not hold the
    /// cooperative pool that the daemon in this same process needs to answer them.
    func run<T: Sendable>(_ body: @escaping @Sendable (SottoClient) throws -> T) async throws -> T {
        let client = self.client
        return try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body(client) }) }.start()
        }
    }

    /// Adds the documents as a source and waits until they are indexed.
    func index() async throws {
        let path = documents.path
        try await run { client in
            _ = try client.addSource(SourceRequest(path: path))
            try client.index { _ in }
        }
    }

    /// Waits until the decoder is ready (it loads in the background).
    func waitForDecoder() async throws {
        let deadline = Date().addingTimeInterval(120)
        while try await run({ try $0.status().decoder?.models.first?.state }) != "ready" {
            guard Date() < deadline else { throw POSIXError(.ETIMEDOUT) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func stop() async {
        task?.cancel()
        _ = try? await task?.value
        try? FileManager.default.removeItem(at: directory)
    }

    /// A raw connection, kept open by whoever holds it.
    final class OpenConnection: @unchecked Sendable {
        private(set) var connection: UnixHTTPConnection?
        /// The response head, when it was waited for.
        let head: HTTPResponseHead?
        init(connection: UnixHTTPConnection, head: HTTPResponseHead?) {
            self.connection = connection
            self.head = head
        }
        /// Closes the connection now, as a client that leaves does.
        func close() { connection = nil }
    }

    /// Sends `/v1/ask` over a raw connection and returns it, with the response head read unless
    /// `waitForHead` is false (a non-streamed answer sends its head only at the end).
    func openAsk(_ body: String, waitForHead: Bool = true) async throws -> OpenConnection {
        let socketPath = self.socketPath
        return try await run { _ in
            let connection = try UnixHTTPConnection(socketPath: socketPath, timeout: 120)
            try connection.send(method: "POST", path: "/v1/ask", body: Data(body.utf8), accept: "application/x-ndjson")
            return OpenConnection(connection: connection, head: waitForHead ? try connection.readHead() : nil)
        }
    }

    /// The NDJSON events of a streamed answer.
    func askEvents(_ request: AskRequest) async throws -> [AskEvent] {
        try await run { client in
            var events: [AskEvent] = []
            try client.ask(request) { events.append($0) }
            return events
        }
    }
}

