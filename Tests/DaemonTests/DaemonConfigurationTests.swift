import Foundation
import Extract
import Testing
@testable import Daemon

@Suite struct DaemonConfigurationTests {
    let environment = ["HOME": "/home/ada", "XDG_RUNTIME_DIR": "/run/user/1000"]

    func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sottod-\(UUID().uuidString).toml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func defaultsFollowXDG() throws {
        let configuration = try DaemonConfiguration.load(file: nil, socket: nil, database: nil, models: nil, environment: environment)
        #expect(configuration.socketPath == "/run/user/1000/sotto/sotto.sock")
        #expect(configuration.databasePath == "/home/ada/.local/share/sotto/index.sqlite")
        #expect(configuration.modelsDirectory == "/home/ada/.local/share/sotto/models")
        #expect(configuration.watch)
        #expect(configuration.maxFileSize == 20 * 1024 * 1024)
    }

    @Test func fileOverridesDefaultsAndFlagsOverrideFile() throws {
        let file = try write(
            """
            socket = "~/s.sock"
            database = "/var/db/x.sqlite"
            models = "/m"
            [index]
            debounce_ms = 100
            watch = false
            max_file_size_mb = 5
            formats = ["pdf", "HTM", "csv"]
            extract_timeout = 20
            extract_memory_mb = 512
            [[roots]]
            path = "~/Documents"
            exclude = ["*.log"]
            """)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let fromFile = try DaemonConfiguration.load(file: file, socket: nil, database: nil, models: nil, environment: environment)
        #expect(fromFile.socketPath == "/home/ada/s.sock")
        #expect(fromFile.databasePath == "/var/db/x.sqlite")
        #expect(fromFile.modelsDirectory == "/m")
        #expect(fromFile.debounce == .milliseconds(100))
        #expect(!fromFile.watch)
        #expect(fromFile.maxFileSize == 5 * 1024 * 1024)
        #expect(fromFile.formats == [.pdf, .html, .csv])
        #expect(fromFile.extractTimeout == .seconds(20))
        #expect(fromFile.extractMemoryBytes == 512 << 20)
        #expect(fromFile.roots == [.init(path: "/home/ada/Documents", include: [], exclude: ["*.log"])])

        var withEnvironment = environment
        withEnvironment["SOTTO_SOCKET"] = "/tmp/env.sock"
        let envWins = try DaemonConfiguration.load(file: file, socket: nil, database: nil, models: nil, environment: withEnvironment)
        #expect(envWins.socketPath == "/tmp/env.sock")

        let flagsWin = try DaemonConfiguration.load(
            file: file, socket: "/tmp/flag.sock", database: "/tmp/db.sqlite", models: "/tmp/models", environment: withEnvironment)
        #expect(flagsWin.socketPath == "/tmp/flag.sock")
        #expect(flagsWin.databasePath == "/tmp/db.sqlite")
        #expect(flagsWin.modelsDirectory == "/tmp/models")
    }

    @Test func shippedConfigurationLoads() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../etc/sotto/sottod.toml").path
        let configuration = try DaemonConfiguration.load(file: path, socket: nil, database: nil, models: nil, environment: environment)
        #expect(configuration.configFile == path)
        #expect(configuration.socketPath == "/run/user/1000/sotto/sotto.sock")
        // Every format by default, a minute per document, 1 GiB.
        #expect(configuration.formats == Set(DocumentFormat.allCases))
        #expect(configuration.extractTimeout == .seconds(60))
        #expect(configuration.extractMemoryBytes == 1 << 30)
    }

    @Test func serverLimitsAreReadAndRangeChecked() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("server-\(UUID().uuidString).toml").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "[server]\nmax_connections = 8\nidle_timeout_seconds = 2\nrequest_timeout_seconds = 3\n".write(toFile: file, atomically: true, encoding: .utf8)
        let configured = try DaemonConfiguration.load(file: file, socket: nil, database: nil, models: nil, environment: environment)
        #expect(configured.maxConnections == 8)
        #expect(configured.idleTimeout == .seconds(2))
        #expect(configured.requestTimeout == .seconds(3))
        try "[server]\nmax_connections = 0\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) {
            try DaemonConfiguration.load(file: file, socket: nil, database: nil, models: nil, environment: environment)
        }
    }

    @Test func auditIsOnForTheSystemServiceAndOffForAUser() throws {
        let user = try DaemonConfiguration.load(file: nil, socket: nil, database: "/tmp/x/index.sqlite", models: nil, environment: environment)
        #expect(!user.isAuditing(environment: environment))
        #expect(user.isAuditing(environment: ["SOTTO_SERVICE": "system"]))
        #expect(user.auditPath == "/tmp/x/audit.jsonl")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString).toml").path
        try "[audit]\nenabled = false\nretention_days = 7\nmax_size_mb = 2\npath = \"/tmp/a.jsonl\"\n[access]\nadmin_group = \"staff\"\nuser_sources = true\ncache_seconds = 0\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let configured = try DaemonConfiguration.load(file: file, socket: nil, database: nil, models: nil, environment: environment)
        #expect(!configured.isAuditing(environment: ["SOTTO_SERVICE": "system"]), "the file wins over the service default")
        #expect(configured.audit.retentionDays == 7 && configured.audit.maxBytes == 2 << 20 && configured.auditPath == "/tmp/a.jsonl")
        #expect(configured.access.adminGroup == "staff" && configured.access.userSources)
        #expect(configured.access.decisionLifetime == .zero && user.access.decisionLifetime == .seconds(2))
    }

    @Test(arguments: [
        ("sockett = \"/x\"\n", "unknown setting sockett"),
        ("[index]\nwatch = \"yes\"\n", "index.watch must be true or false"),
        ("[index]\ndebounce_ms = -1\n", "index.debounce_ms must be between"),
        ("[index]\nformats = [\"pdf\", \"doc\"]\n", "unknown format \"doc\""),
        ("[index]\nextract_timeout = 0\n", "index.extract_timeout must be between"),
        ("log_level = \"loud\"\n", "log_level must be one of"),
        ("[[roots]]\ninclude = []\n", "needs a path"),
        ("a = \n", ":1:"),
        ("[decoder]\ndefault = \"gpt-9\"\n", "decoder.default names no decoder"),
        ("[decoder]\nqueue_size = -1\n", "decoder.queue_size must be between"),
        ("[[decoders]]\nname = \"x\"\n", "needs a name and a file"),
        ("[[decoders]]\nname = \"x\"\nfile = \"../up.gguf\"\n", "must name a model file once"),
    ])
    func badFilesAreClearErrors(text: String, expected: String) throws {
        let file = try write(text)
        defer { try? FileManager.default.removeItem(atPath: file) }
        do {
            _ = try DaemonConfiguration.load(file: file, socket: nil, database: nil, models: nil, environment: environment)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test func decoderSettingsAndTheDefaultDecoders() throws {
        let defaults = try DaemonConfiguration.load(file: nil, socket: nil, database: nil, models: nil, environment: environment)
        #expect(defaults.decoder.models.map(\.name) == ["qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b", "smollm2-135m"])
        #expect(defaults.decoderPath(defaults.decoder.models[0])
            == "/home/ada/.local/share/sotto/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")
        #expect(defaults.decoder.defaultModel == nil && defaults.decoder.queueSize == 8 && defaults.decoder.contextTokens == 4096)
        #expect(defaults.decoder.speculates)

        let file = try write(
            """
            [decoder]
            default = "fast"
            threads = 2
            context_tokens = 2048
            queue_size = 3
            time_limit_seconds = 60
            speculation = false
            [[decoders]]
            name = "fast"
            file = "~/models/small.gguf"
            context_tokens = 1024
            [[decoders]]
            name = "echo"
            file = "builtin:echo"
            """)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let configuration = try DaemonConfiguration.load(file: file, socket: nil, database: nil, models: nil, environment: environment)
        let decoder = configuration.decoder
        #expect(decoder.defaultModel == "fast")
        #expect(decoder.threads == 2 && decoder.contextTokens == 2048 && decoder.queueSize == 3)
        #expect(decoder.timeLimit == .seconds(60))
        #expect(!decoder.speculates)
        #expect(decoder.models.map(\.name) == ["fast", "echo"])
        #expect(decoder.models[0].contextTokens == 1024)
        #expect(configuration.decoderPath(decoder.models[0]) == "/home/ada/models/small.gguf")
        #expect(configuration.decoderPath(decoder.models[1]) == "builtin:echo")
    }

    @Test func missingFileIsAnError() {
        #expect(throws: ConfigurationError.self) {
            _ = try DaemonConfiguration.load(file: "/nonexistent/sottod.toml", socket: nil, database: nil, models: nil, environment: environment)
        }
    }
}
