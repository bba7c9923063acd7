import API
import Foundation

/// Shows an answer as it arrives: the tokens, then (when the citation check changed anything) the
/// checked version, the sources it cites with the words that support it, then where the time went.
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
        if !result.declined, let checked = Self.checked(result) {
            print(checked, terminator: "")
        } else {
            print(result.answer.trimmingCharacters(in: .whitespacesAndNewlines), terminator: "")
        }
        wroteText = true
        finish(result, showsChecked: false)
    }

    private func finish(_ result: AskResult, showsChecked: Bool = true) {
        if wroteText { print() }
        if showsChecked, !result.declined, let checked = Self.checked(result) {
            print()
            print(Terminal.dim("checked against your sources:"))
            print(checked)
        }
        let cited = Set(result.citations.map(\.number))
        // The cited sources; all of them when the answer cites none (or there was nothing relevant).
        let isClosest = result.abstained || result.declined
        let shown = cited.isEmpty || isClosest ? sources : sources.filter { cited.contains($0.number) }
        if !shown.isEmpty {
            print()
            if isClosest { print(Terminal.dim("closest passages:")) }
        }
        for source in shown.sorted(by: { $0.number < $1.number }) {
            print("\(Terminal.bold("[\(source.number)]")) \(Self.location(source))")
            let quote = isClosest ? nil : result.citations.first { $0.number == source.number }?.quote
            print("    " + Terminal.dim(Self.quote(quote ?? source.text)))
            if let link = PassageLocation(source).link { print("    " + Terminal.dim(link)) }
        }
        if !result.invalidCitations.isEmpty {
            let list = result.invalidCitations.map { "[\($0)]" }.joined(separator: ", ")
            Terminal.printError("the answer cites \(list), which is not one of the sources; do not trust that part")
        }
        if let warning = result.warning { Terminal.printError(warning) }
        guard !quiet else { return }
        var facts: [String] = []
        if let first = result.timings.firstTokenMs { facts.append(String(format: "first token %.1f s", first / 1000)) }
        if let speed = result.timings.tokensPerSecond { facts.append(String(format: "%.1f tokens/s", speed)) }
        facts.append(String(format: "%.1f s in all", result.timings.totalMs / 1000))
        if let model = result.model { facts.append(model) }
        print(Terminal.dim(facts.joined(separator: " · ")))
    }

    /// `~/contracts/berlin-lease.md:41-58`, or `~/contracts/lease.pdf p. 3` for a document read by an
    /// extractor (see ``PassageLocation``).
    static func location(_ source: AskSource) -> String {
        guard source.documentId != nil else { return Terminal.displayPath(source.path) }
        var path = Terminal.displayPath(source.path)
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        if !home.isEmpty, home != "/", path.hasPrefix(home + "/") { path = "~" + path.dropFirst(home.count) }
        return PassageLocation(source).describe(displayPath: path)
    }

    /// The words on one line, about 160 characters.
    static func quote(_ text: String) -> String {
        let flat = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        return flat.count > 160 ? String(flat.prefix(159)) + "…" : flat
    }

    /// The answer as the citation check left it, when that differs from what the model wrote: each
    /// sentence with the sources that hold it, and the ones none holds dimmed with a note. nil when
    /// the check confirmed every citation.
    static func checked(_ result: AskResult) -> String? {
        guard let sentences = result.sentences,
            sentences.contains(where: { !$0.supported || Set($0.cited) != Set($0.verified) })
        else { return nil }
        let bytes = Array((result.draft ?? result.answer).utf8)
        var checked = ""
        var previousEnd = 0
        for sentence in sentences {
            guard previousEnd <= sentence.start, sentence.start <= sentence.end, sentence.end <= bytes.count else { return nil }
            // Keep the answer's line breaks between sentences (a list stays a list).
            if previousEnd > 0 { checked += bytes[previousEnd..<sentence.start].contains(UInt8(ascii: "\n")) ? "\n" : " " }
            previousEnd = sentence.end
            let text = String(decoding: bytes[sentence.start..<sentence.end], as: UTF8.self)
            let plain = text.replacing(/\s*\[\d+(?:\s*[,-]\s*\d+)*\]/, with: "").trimmingCharacters(in: .whitespaces)
            if !sentence.supported {
                checked += Terminal.dim(plain + " (not found in your sources)")
            } else if sentence.verified.isEmpty {
                checked += plain
            } else {
                checked += plain + " [" + sentence.verified.map(String.init).joined(separator: ", ") + "]"
            }
        }
        return checked
    }

}
