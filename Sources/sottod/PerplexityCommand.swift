import ArgumentParser
import Foundation
import Generation
import Inference

/// `sottod perplexity`: perplexity of a model over a text file, computed as llama-perplexity does.
struct PerplexityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perplexity",
        abstract: "Measure a decoder model's perplexity over a text file (as llama-perplexity does).",
        discussion: """
            The text is cut into chunks of --ctx tokens; the second half of each chunk is scored. \
            Prints the running estimate per chunk on standard error and the final estimate on standard output.
            """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: ArgumentHelp("The text file.", valueName: "file"))
    var file: String

    @Option(name: .customLong("ctx"), help: ArgumentHelp("Tokens per chunk.", valueName: "n"))
    var contextLength = 512

    @Option(name: .long, help: ArgumentHelp("Score only the first n chunks.", valueName: "n"))
    var chunks: Int?

    @Flag(name: .long, help: "Print the result as one JSON object.")
    var json = false

    func validate() throws {
        guard contextLength >= 4 else { throw ValidationError("--ctx must be at least 4") }
        if let chunks, chunks < 1 { throw ValidationError("--chunks must be at least 1") }
    }

    func run() async throws {
        BLASRuntime.restartWithBetterKernelsIfNeeded()
        var text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
            // As llama-perplexity's -f: one trailing newline is not part of the text.
            if text.hasSuffix("\n") { text.removeLast() }
        } catch {
            CommandOutput.fail("cannot read \(file): \(error.localizedDescription)")
        }
        let model = try modelOptions.load()
        let result: PerplexityResult
        do {
            let session = try DecoderSession(model: model, contextLength: contextLength, threads: modelOptions.threads)
            result = try Perplexity.measure(text: text, session: session, maxChunks: chunks) { chunk, count, ppl in
                CommandOutput.error("[\(chunk)/\(count)] \(String(format: "%.4f", ppl))\n")
            }
        } catch {
            CommandOutput.fail(error.message)
        }
        if json {
            CommandOutput.write(
                "{\"perplexity\":\(result.perplexity),\"standard_error\":\(result.standardError),"
                    + "\"chunks\":\(result.chunkCount),\"scored_tokens\":\(result.scoredTokens),"
                    + "\"context\":\(contextLength),\"seconds\":\(String(format: "%.3f", result.seconds)),"
                    + "\"peak_rss_bytes\":\(CommandOutput.peakResidentBytes())}\n")
        } else {
            CommandOutput.write(
                "Final estimate: PPL = \(String(format: "%.4f", result.perplexity)) +/- \(String(format: "%.5f", result.standardError))"
                    + " (\(result.chunkCount) chunks of \(contextLength) tokens, \(String(format: "%.1f", result.seconds)) s)\n")
        }
    }
}
