import ArgumentParser
import Foundation
import Generation
import Inference

/// `sottod generate`: runs a decoder on one prompt and streams the text to standard output.
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Run a decoder model on a prompt and stream the generated text to standard output.",
        discussion: """
            Greedy when --temperature is 0 (the default). --chat wraps the prompt as a user message in the \
            model's chat format (ChatML). --timings ends the output with one JSON line: prompt_tokens, \
            generated_tokens, prefill_tokens_per_second, decode_tokens_per_second, decode_seconds, decode_passes, drafted_tokens, \
            accepted_draft_tokens, peak_rss_bytes. --speculate drafts tokens by prompt lookup, as answers do.
            """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: ArgumentHelp("The prompt text.", valueName: "text"))
    var prompt: String?

    @Option(name: .customLong("prompt-file"), help: ArgumentHelp("Read the prompt from a file.", valueName: "file"))
    var promptFile: String?

    @Flag(name: .long, help: "Wrap the prompt in the model's chat format.")
    var chat = false

    @Option(name: .customLong("max-tokens"), help: ArgumentHelp("Tokens to generate at most.", valueName: "n"))
    var maxTokens = 256

    @Option(name: .long, help: ArgumentHelp("Sampling temperature; 0 is greedy.", valueName: "t"))
    var temperature: Float = 0

    @Option(name: .long, help: ArgumentHelp("Random seed (the same seed gives the same text).", valueName: "s"))
    var seed: UInt64 = 0

    @Option(name: .customLong("top-k"), help: ArgumentHelp("Keep the k most likely tokens (0: all).", valueName: "k"))
    var topK = 40

    @Option(name: .customLong("top-p"), help: ArgumentHelp("Keep the most likely tokens up to this total probability.", valueName: "p"))
    var topP: Float = 0.95

    @Option(name: .customLong("min-p"), help: ArgumentHelp("Drop tokens below this fraction of the best one's probability.", valueName: "p"))
    var minP: Float = 0.05

    @Option(name: .customLong("repeat-penalty"), help: ArgumentHelp("Penalty for the last 64 tokens (1: off).", valueName: "x"))
    var repeatPenalty: Float = 1

    @Option(name: .customLong("ctx"), help: ArgumentHelp("Context length in tokens (default 8192, at most the model's).", valueName: "n"))
    var contextLength: Int?

    @Flag(name: .customLong("ignore-eos"), help: "Do not stop at end-of-generation tokens (generate exactly --max-tokens).")
    var ignoreEOS = false

    @Flag(name: .long, help: "End with one JSON line of counts, speeds and peak memory.")
    var timings = false

    @Flag(name: .long, help: "Draft tokens by prompt lookup and check them in one pass (answers do; the output is the same).")
    var speculate = false

    func validate() throws {
        guard (prompt == nil) != (promptFile == nil) else { throw ValidationError("give exactly one of --prompt and --prompt-file") }
        guard maxTokens >= 0 else { throw ValidationError("--max-tokens must be 0 or more") }
        if let contextLength, contextLength < 1 { throw ValidationError("--ctx must be at least 1") }
        do {
            try sampling.validate()
        } catch {
            throw ValidationError(error.message)
        }
    }

    var sampling: SamplingOptions {
        SamplingOptions(temperature: temperature, topK: topK, topP: topP, minP: minP, repeatPenalty: repeatPenalty, seed: seed)
    }

    func run() async throws {
        BLASRuntime.restartWithBetterKernelsIfNeeded()
        let text: String
        if let promptFile {
            do {
                text = try String(contentsOfFile: promptFile, encoding: .utf8)
            } catch {
                CommandOutput.fail("cannot read the prompt file \(promptFile): \(error.localizedDescription)")
            }
        } else {
            text = prompt ?? ""
        }
        let model = try modelOptions.load()
        let generator: Generator
        do {
            generator = try Generator(model: model, contextLength: contextLength, threads: modelOptions.threads)
        } catch {
            CommandOutput.fail(error.message)
        }
        let options = GenerationOptions(
            maxTokens: maxTokens, sampling: sampling, ignoresEndOfGeneration: ignoreEOS, speculation: speculate ? Speculation() : nil)
        let input: GenerationPrompt = chat ? .chat([ChatMessage(role: .user, content: text)]) : .text(text)
        var endsWithNewline = true
        do {
            for try await event in generator.generate(prompt: input, options: options) {
                switch event {
                case .prefilled: break
                case .text(let piece):
                    CommandOutput.write(piece)
                    endsWithNewline = piece.hasSuffix("\n")
                case .finished(let summary):
                    if !endsWithNewline { CommandOutput.write("\n") }
                    if timings { CommandOutput.write(timingLine(summary) + "\n") }
                }
            }
        } catch let error as GenerationError {
            CommandOutput.fail(error.message)
        }
    }

    private func timingLine(_ s: GenerationSummary) -> String {
        func number(_ x: Double) -> String { String(format: "%.2f", x) }
        return "{\"prompt_tokens\":\(s.promptTokens),\"generated_tokens\":\(s.generatedTokens),"
            + "\"prefill_tokens_per_second\":\(number(s.prefillTokensPerSecond)),"
            + "\"decode_tokens_per_second\":\(number(s.decodeTokensPerSecond)),"
            + "\"decode_seconds\":\(String(format: "%.4f", s.decodeSeconds)),\"decode_passes\":\(s.decodeEvaluations),\"drafted_tokens\":\(s.draftedTokens),"
            + "\"accepted_draft_tokens\":\(s.acceptedDraftTokens),"
            + "\"peak_rss_bytes\":\(CommandOutput.peakResidentBytes())}"
    }
}
