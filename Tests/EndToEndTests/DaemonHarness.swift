import API
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the real `sottod` binary on a temporary socket and database, and the real `sotto` client against it.
final class DaemonHarness: @unchecked Sendable {
    let directory: URL
    let socketPath: String
    let databasePath: String
    let configPath: String
    var process: Process?
    var logPath: String { directory.appendingPathComponent("sottod.log").path }

    /// Where `sottod` and `sotto` are: `SOTTO_BIN_DIR`, else next to the test bundle, else `.build/debug`.
    static let binDirectory: URL = {
        if let dir = ProcessInfo.processInfo.environment["SOTTO_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        let exe = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "")
        var candidate = exe.deletingLastPathComponent()
        for _ in 0..<4 {
            if FileManager.default.isExecutableFile(atPath: candidate.appendingPathComponent("sottod").path) { return candidate }
            candidate = candidate.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug")
    }()

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var sottod: String { binDirectory.appendingPathComponent("sottod").path }
    static var sotto: String { binDirectory.appendingPathComponent("sotto").path }

    /// Short paths: a Unix socket path must fit in 107 bytes.
    init(config: String = "[index]\ndebounce_ms = 100\n") throws {
        directory = URL(fileURLWithPath: "/tmp/sotto-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        socketPath = directory.appendingPathComponent("run/sotto.sock").path
        databasePath = directory.appendingPathComponent("state/index.sqlite").path
        configPath = directory.appendingPathComponent("sottod.toml").path
        // The encoder is off unless a test turns it on: most tests are about indexing and the socket,
        // and embedding thousands of chunks would only slow them down.
        let withEncoder = config.contains("[encoder]") ? config : config + "\n[encoder]\nenabled = false\n"
        try withEncoder.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    deinit {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: directory)
    }

    var client: SottoClient { SottoClient(socketPath: socketPath, timeout: 30) }

    /// A folder of documents inside the harness directory.
    func makeFolder(_ name: String, files: [String: String]) throws -> URL {
        let root = directory.appendingPathComponent(name)
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: false, encoding: .utf8)
        }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root
    }

    /// Starts the daemon and waits until it answers.
    @discardableResult
    func start(extraEnvironment: [String: String] = [:], prefix: [String] = [], database: String? = nil) throws -> Process {
        let process = Process()
        var arguments = ["--config", configPath, "--socket", socketPath, "--database", database ?? databasePath]
        if prefix.isEmpty {
            process.executableURL = URL(fileURLWithPath: Self.sottod)
        } else {
            process.executableURL = URL(fileURLWithPath: prefix[0])
            arguments = Array(prefix.dropFirst()) + [Self.sottod] + arguments
        }
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SOTTO_SOCKET"] = nil
        environment["NOTIFY_SOCKET"] = nil
        for (key, value) in extraEnvironment { environment[key] = value }
        process.environment = environment
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        self.process = process
        try waitUntilAnswering(process)
        return process
    }

    func waitUntilAnswering(_ process: Process, timeout: TimeInterval = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if !process.isRunning { throw HarnessError("sottod exited early (\(process.terminationStatus)): \(stderrText())") }
            if (try? client.status()) != nil { return }
            usleep(50_000)
        }
        throw HarnessError("sottod did not answer within \(timeout) s")
    }

    func stderrText() -> String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// Sends a signal and waits for the exit; returns the exit status, or nil if it did not exit in time.
    func stop(signal: Int32 = SIGTERM, timeout: TimeInterval = 15) -> Int32? {
        guard let process else { return nil }
        kill(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { return nil }
        return process.terminationStatus
    }

    /// Waits until the indexer is idle after at least `passes` completed passes, nothing is queued and
    /// OCR has read the scans the passes left for it.
    @discardableResult
    func waitUntilIdle(passes: Int = 1, timeout: TimeInterval = 120) throws -> StatusResponse {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let status = try? client.status(), status.indexing.state == .idle, status.indexing.queued == 0,
                status.indexing.completedPasses >= passes, status.indexing.ocr?.isIdle ?? true
            {
                return status
            }
            usleep(50_000)
        }
        throw HarnessError("the indexer did not become idle within \(timeout) s")
    }

    /// Runs the `sotto` client; returns exit status, stdout and stderr.
    func cli(_ arguments: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        try Self.run(Self.sotto, arguments + ["--socket", socketPath], environment: extra)
    }

    /// `standardInput`: a file the process reads on standard input (else it inherits the test's).
    static func run(
        _ executable: String, _ arguments: [String], environment extra: [String: String] = [:], standardInput: URL? = nil
    ) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let standardInput { process.standardInput = try FileHandle(forReadingFrom: standardInput) }
        var environment = ProcessInfo.processInfo.environment
        environment["SOTTO_SOCKET"] = nil
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
