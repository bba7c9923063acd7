import ArgumentParser
import Foundation
import Generation

/// The options every model-running subcommand shares.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The GGUF model file (qwen2 or llama architecture).", valueName: "file"))
    var model: String

    @Option(name: .long, help: ArgumentHelp("Compute threads (default: all cores).", valueName: "n"))
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 || threads > 256 { throw ValidationError("--threads must be between 1 and 256") }
    }

    /// Loads the model, or prints one line on standard error and exits 1.
    func load() throws -> DecoderModel {
        do {
            return try DecoderModel(contentsOf: URL(fileURLWithPath: model))
        } catch {
            CommandOutput.fail(error.message)
        }
    }
}

/// Writing to the terminal: unbuffered, so streamed text appears as it is generated.
enum CommandOutput {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// One line on standard error, then exit status 1.
    static func fail(_ message: String) -> Never {
        error("sottod: \(message)\n")
        exit(1)
    }

    /// The process's peak resident set size (VmHWM), in bytes; 0 when /proc is not there.
    static func peakResidentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
            return (kilobytes ?? 0) * 1024
        }
        return 0
    }
}
