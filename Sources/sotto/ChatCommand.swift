import API
import ArgumentParser
import Foundation

struct ChatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat", abstract: "A conversation about your documents: follow-up questions keep their context.",
        discussion: """
            Reads one question a line from standard input and answers each like `sotto ask`, with its sources. \
            Follow-ups ("and when does it end?") are understood from the earlier turns. An empty line is skipped; \
            /reset forgets the conversation; /quit or end of input (Ctrl-D) ends it.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: AnswerOptions
    @Option(name: .long, help: ArgumentHelp("Earlier turns kept for follow-ups.", valueName: "n")) var keepTurns = 6

    func validate() throws {
        guard (0...50).contains(keepTurns) else { throw ValidationError("--keep-turns must be between 0 and 50") }
    }

    func run() throws {
        let client = connection.makeClient(timeout: 600)
        let interactive = isatty(STDIN_FILENO) == 1
        var history: [ChatTurn] = []
        while true {
            if interactive {
                print(Terminal.bold("you> "), terminator: "")
                fflush(nil)
            }
            guard let line = readLine() else { break }
            let question = line.trimmingCharacters(in: .whitespaces)
            if question.isEmpty { continue }
            if question == "/quit" || question == "/exit" { break }
            if question == "/reset" {
                history = []
                continue
            }
            var printer = AnswerPrinter(json: options.json, quiet: options.quiet)
            do {
                try AskCommand.ask(options.request(question, history: history), client: client, printer: &printer, whole: false, wait: options.wait)
            } catch let exit as ExitCode where exit != ExitCode(3) && exit != ExitCode(4) {
                continue  // the message is printed; the conversation goes on
            }
            if let answer = printer.result, !answer.abstained {
                history += [ChatTurn(role: "user", content: question), ChatTurn(role: "assistant", content: answer.answer)]
                history = Array(history.suffix(keepTurns * 2))
            }
            if !options.json { print() }
        }
    }
}
