import ArgumentParser
import Daemon
import Foundation
import Inference
import Logging

@main
struct Sottod: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sottod",
        abstract: "The Sotto daemon: keeps an index of your folders and answers over a Unix socket.",
        // Without a custom usage ArgumentParser writes `sottod [<options>] <subcommand>`, as if the
        // daemon itself needed one: it runs with none.
        usage: """
            sottod [--config <file>] [--socket <path>] [--database <path>] [--models <dir>] [--log-level <level>]
            sottod <subcommand> [<options>]
            """,
        discussion: """
            With no subcommand, runs the daemon in the foreground (systemd runs it as a service). Settings come from the config file \
            (--config, else ~/.config/sotto/sottod.toml, else /etc/sotto/sottod.toml, else built-in defaults); \
            the flags below override it, and SOTTO_SOCKET overrides the file's socket. \
            `sottod generate` and `sottod perplexity` run a decoder model directly, without the daemon.
            """,
        version: SottoVersion.string,
        subcommands: [GenerateCommand.self, PerplexityCommand.self, ExtractCommand.self])

    @Option(name: .long, help: ArgumentHelp("The configuration file (TOML).", valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("The Unix socket to listen on.", valueName: "path"))
    var socket: String?

    @Option(name: .long, help: ArgumentHelp("The SQLite database file.", valueName: "path"))
    var database: String?

    @Option(name: .long, help: ArgumentHelp("The directory holding model files.", valueName: "dir"))
    var models: String?

    @Option(name: .long, help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "level"))
    var logLevel: String?

    func run() async throws {
        // Before anything else: OpenBLAS may have picked slow kernels for this CPU; if so, run again
        // with better ones (only when the user has not chosen with OPENBLAS_CORETYPE).
        BLASRuntime.restartWithBetterKernelsIfNeeded()
        let configuration: DaemonConfiguration
        do {
            configuration = try DaemonConfiguration.load(
                file: config ?? DaemonConfiguration.defaultConfigFile(), socket: socket, database: database, models: models)
        } catch {
            throw ValidationError(error.message)
        }
        let levelName = logLevel ?? configuration.logLevel
        guard let level = Logger.Level(rawValue: levelName) else {
            throw ValidationError("unknown log level \(levelName)")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "sottod")
        do {
            try await SottoDaemon(
                configuration: configuration, logger: logger, decoderLoader: generatorLoader
            ).run()
        } catch let error as SocketGuardError {
            FileHandle.standardError.write(Data("sottod: \(error.message)\n".utf8))
            throw ExitCode(1)
        } catch let error as DaemonError {
            FileHandle.standardError.write(Data("sottod: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }
}
