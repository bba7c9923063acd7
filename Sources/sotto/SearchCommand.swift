import API
import ArgumentParser
import Foundation

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Search the indexed documents.",
        discussion: """
            Prints ranked passages as path:firstLine-lastLine with the score and a snippet; passages of \
            documents read by an extractor show their page, slide, sheet or message instead \
            (contract.pdf p. 3, with a file:// link that opens a PDF at the page). With --json, prints \
            the /v1/search response document (schema in docs/openapi.yaml, SearchResponse).
            """)

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "What to look for.") var query: [String]
    @Option(name: .long, help: "How many results (1–100).") var limit = 10
    @Option(name: .long, help: "bm25 (words), dense (meaning) or hybrid (both, the default; words only until an encoder is ready).")
    var mode: String?
    @Option(name: .long, help: ArgumentHelp("Only documents under this path.", valueName: "prefix")) var path: String?
    @Flag(name: .long, help: "Print the response as JSON.") var json = false

    func validate() throws {
        guard (1...100).contains(limit) else { throw ValidationError("--limit must be between 1 and 100") }
        guard !query.joined().trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("the query is empty") }
        if let mode, SearchMode(rawValue: mode) == nil { throw ValidationError("--mode must be bm25, dense or hybrid") }
    }

    func run() throws {
        let request = SearchRequest(
            query: query.joined(separator: " "), limit: limit, mode: mode, pathPrefix: path.map(SourcesCommand.absolute))
        let response = try withClientErrors { try connection.makeClient().search(request) }
        if json { return try JSONOutput.print(response) }
        if response.hits.isEmpty {
            print("no results for \(request.query.debugDescription)")
            return
        }
        for hit in response.hits {
            let place = PassageLocation(hit)
            let location = hit.locator == .extracted
                ? place.describe(displayPath: Terminal.displayPath(hit.path))
                : "\(Terminal.displayPath(hit.path)):\(hit.lineStart)-\(hit.lineEnd)"
            let section = hit.section.map { "  " + Terminal.dim("§ " + $0) } ?? ""
            print("\(Terminal.bold(location))  \(Terminal.dim(String(format: "%.2f", hit.score)))\(section)")
            print("    " + Self.render(snippet: hit.snippet, highlights: hit.highlights))
            if let link = place.link { print("    " + Terminal.dim(link)) }
        }
    }

    /// The snippet on one line with its matches highlighted.
    static func render(snippet: String, highlights: [HighlightRange]) -> String {
        let scalars = Array(snippet.unicodeScalars)
        var out = ""
        var position = 0
        func plain(_ range: Range<Int>) -> String {
            var text = String(String.UnicodeScalarView(scalars[range]))
            text = text.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
            return text
        }
        for range in highlights.sorted(by: { $0.start < $1.start }) {
            let start = max(position, min(range.start, scalars.count))
            let end = max(start, min(range.end, scalars.count))
            out += plain(position..<start)
            out += Terminal.highlight(plain(start..<end))
            position = end
        }
        out += plain(position..<scalars.count)
        return out.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }
}
