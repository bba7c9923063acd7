import Foundation
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
    }

    @Test(arguments: [
        ("sockett = \"/x\"\n", "unknown setting sockett"),
        ("[index]\nwatch = \"yes\"\n", "index.watch must be true or false"),
        ("[index]\ndebounce_ms = -1\n", "index.debounce_ms must be between"),
        ("log_level = \"loud\"\n", "log_level must be one of"),
        ("[[roots]]\ninclude = []\n", "needs a path"),
        ("a = \n", ":1:"),
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

    @Test func missingFileIsAnError() {
        #expect(throws: ConfigurationError.self) {
            _ = try DaemonConfiguration.load(file: "/nonexistent/sottod.toml", socket: nil, database: nil, models: nil, environment: environment)
        }
    }
}
