import API
import Foundation

/// Shows an answer as it arrives: the tokens, then the sources it cites with a short quote, then
/// where the time went.
struct AnswerPrinter {
    var json: Bool
    var quiet: Bool
    private(set) var sources: [AskSource] = []
    private(set) var result: AskResult?
    private var lastQueuePosition: Int?
    private var wroteText = false

    init(json: Bool, quiet: Bool) {
        self.json = json
        self.quiet = quiet
    }

    /// Handles one event; returns the error event's message, if it is one.
    mutating func handle(_ event: AskEvent) throws -> String? {
        if json {
            print(String(decoding: try WireJSON.makeEncoder().encode(event), as: UTF8.self))
            fflush(nil)
        }
        switch event {
        case .sources(_, let sources, _):
            self.sources = sources
        case .queued(let position):
            if !json, !quiet, position != lastQueuePosition {
                FileHandle.standardError.write(Data("\(Terminal.dim("waiting for the decoder: \(position) ahead"))\n".utf8))
            }
            lastQueuePosition = position
        case .token(let text):
            guard !json else { break }
            print(wroteText ? text : String(text.drop { $0.isWhitespace }), terminator: "")
            wroteText = true
            fflush(nil)
        case .done(let result):
            self.result = result
            if !json { finish(result) }
        case .error(let code, let message):
            if !json, wroteText { print() }
            return "\(message) (\(code))"
        }
        return nil
    }

    /// Prints a whole answer (`--no-stream`).
    mutating func show(_ result: AskResult) throws {
        if json {
            print(String(decoding: try WireJSON.makeEncoder().encode(result), as: UTF8.self))
            return
        }
        sources = result.sources ?? []
        print(result.answer.trimmingCharacters(in: .whitespacesAndNewlines), terminator: "")
        wroteText = true
        finish(result)
    }

    private func finish(_ result: AskResult) {
        if wroteText { print() }
        let cited = Set(result.citations.map(\.number))
        // The cited sources; all of them when the answer cites none (or there was nothing relevant).
        let shown = cited.isEmpty ? sources : sources.filter { cited.contains($0.number) }
        if !shown.isEmpty {
            print()
            if result.abstained { print(Terminal.dim("closest passages:")) }
        }
        for source in shown.sorted(by: { $0.number < $1.number }) {
            print("\(Terminal.bold("[\(source.number)]")) \(Self.location(source))")
            print("    " + Terminal.dim(Self.quote(source.text)))
        }
        if !result.invalidCitations.isEmpty {
            let list = result.invalidCitations.map { "[\($0)]" }.joined(separator: ", ")
            Terminal.printError("the answer cites \(list), which is not one of the sources; do not trust that part")
        }
        guard !quiet else { return }
        var facts: [String] = []
        if let first = result.timings.firstTokenMs { facts.append(String(format: "first token %.1f s", first / 1000)) }
        if let speed = result.timings.tokensPerSecond { facts.append(String(format: "%.1f tokens/s", speed)) }
        facts.append(String(format: "%.1f s in all", result.timings.totalMs / 1000))
        if let model = result.model { facts.append(model) }
        print(Terminal.dim(facts.joined(separator: " · ")))
    }

    /// `~/contracts/berlin-lease.md:41-58` (and the page where there is one).
    static func location(_ source: AskSource) -> String {
        guard source.documentId != nil else { return Terminal.displayPath(source.path) }
        var path = Terminal.displayPath(source.path)
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        if !home.isEmpty, home != "/", path.hasPrefix(home + "/") { path = "~" + path.dropFirst(home.count) }
        let lines = source.lineStart == source.lineEnd ? "\(source.lineStart)" : "\(source.lineStart)-\(source.lineEnd)"
        return "\(path):\(lines)" + (source.page.map { " (page \($0))" } ?? "")
    }

    /// The source's opening words on one line, about 100 characters.
    static func quote(_ text: String) -> String {
        let flat = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        return flat.count > 100 ? String(flat.prefix(99)) + "…" : flat
    }
}
