import API
import ArgumentParser
import Foundation

struct AskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask", abstract: "Ask a question; the answer comes from your documents, with its sources.",
        discussion: """
            Streams the answer as it is written, then lists the numbered sources it cites as \
            path:firstLine-lastLine with a short quote, then the time to first token and the speed (--quiet hides \
            them). When the documents hold nothing relevant, it says so and shows the closest passages instead of \
            guessing. With --json, prints the /v1/ask events as JSON lines (schema in docs/openapi.yaml, AskEvent).
            """)

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The question.") var question: [String]
    @OptionGroup var options: AnswerOptions
    @Flag(name: .long, help: "Wait for the whole answer and print it at once (with --json, as one JSON document).") var noStream = false

    func validate() throws {
        guard !question.joined().trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("the question is empty") }
    }

    func run() throws {
        let request = options.request(question.joined(separator: " "), history: [])
        var printer = AnswerPrinter(json: options.json, quiet: options.quiet)
        try Self.ask(request, client: connection.makeClient(timeout: 600), printer: &printer, whole: noStream, wait: options.wait)
    }

    /// Sends the question and prints the answer; an error event becomes a message and exit status 1.
    /// While the decoder is loading, asks again for up to `wait` seconds, saying so once on stderr.
    static func ask(_ request: AskRequest, client: SottoClient, printer: inout AnswerPrinter, whole: Bool, wait: Int) throws {
        var failure: String?
        try withClientErrors {
            try client.waitingForDecoder(upTo: TimeInterval(wait), onWaiting: { message in
                let what = message.split(separator: ";").first.map(String.init) ?? message
                Terminal.printError("\(what); waiting up to \(wait) s for it (--wait)")
            }) {
                if whole {
                    try printer.show(try client.askWhole(request))
                } else {
                    try client.ask(request) { event in
                        if let message = try printer.handle(event) { failure = message }
                    }
                }
            }
        }
        if let failure {
            Terminal.printError(failure)
            throw ExitCode(1)
        }
    }
}
