import API
import ArgumentParser

/// The options `ask` and `chat` share.
struct AnswerOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A configured decoder (see `sotto status`); the default one otherwise.", valueName: "name"))
    var model: String?
    @Option(name: .long, help: ArgumentHelp("Most passages to answer from (1–20).", valueName: "n")) var sources = 5
    @Option(name: .long, help: "0 (the default) always gives the same answer; higher varies it (up to 2).") var temperature = 0.0
    @Option(name: .long, help: ArgumentHelp("Most tokens in the answer (1–4096).", valueName: "n")) var maxTokens: Int?
    @Option(name: .long, help: ArgumentHelp("Only documents under this path.", valueName: "prefix")) var path: String?
    @Option(name: .long, help: "sentences (cited, the default) or short (the shortest phrase that answers, copied from a source).") var style: String?
    @Flag(name: .long, help: "Print the answer events as JSON lines (NDJSON).") var json = false
    @Flag(name: .long, help: "Hide the time to first token and the speed.") var quiet = false
    @Option(name: .long, help: ArgumentHelp(
        "While the decoder is still loading (just after sottod starts), wait for it this long (0: do not wait).",
        valueName: "seconds")) var wait = 120

    /// Only what the CLI itself uses: the answer's limits (sources, temperature, max tokens, style)
    /// are the daemon's to check, in one place, and its message comes back as the error.
    func validate() throws {
        guard (0...3600).contains(wait) else { throw ValidationError("--wait must be between 0 and 3600 seconds") }
    }

    func request(_ question: String, history: [ChatTurn]) -> AskRequest {
        AskRequest(
            question: question, history: history.isEmpty ? nil : history, model: model, sources: sources,
            temperature: temperature, maxTokens: maxTokens, pathPrefix: path.map(SourcesCommand.absolute), style: style)
    }
}
