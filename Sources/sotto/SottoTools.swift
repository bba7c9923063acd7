import API
import Dispatch
import Foundation
import MCP

/// The tools `sotto mcp` offers, each one call to the daemon. Results are text written for a model
/// to read: paths with line ranges it can pass back to read_passage, and numbered citations.
struct SottoTools: Sendable {
    let client: SottoClient

    static let instructions = """
        Sotto searches and answers from the user's own indexed documents on this machine. Use search to \
        find passages (it returns path:lines you can open with read_passage), ask for a short answer with \
        numbered citations, read_passage to read more of an indexed document around a hit, and \
        list_sources to see which folders and documents are indexed. Nothing leaves the machine.
        """

    static let list: [Tool] = [
        Tool(
            name: "search",
            description: """
                Search the user's indexed documents. Returns the best-matching passages, each with its file path, \
                line range (path:first-last), score and text. Use it to find where something is written; then \
                read_passage reads around a hit. Modes: hybrid (default: words and meaning), bm25 (exact words, \
                names, numbers), dense (meaning, paraphrases).
                """,
            inputSchema: schema(
                [
                    "query": property("string", "What to look for: words, a name, or a question."),
                    "mode": .object([
                        "type": .string("string"), "enum": .array([.string("hybrid"), .string("bm25"), .string("dense")]),
                        "description": .string("hybrid (default), bm25 or dense."),
                    ]),
                    "limit": property("integer", "How many passages (1-50, default 8)."),
                    "path_prefix": property("string", "Only documents whose absolute path starts with this."),
                ], required: ["query"]),
            annotations: .init(readOnlyHint: true)),
        Tool(
            name: "ask",
            description: """
                Ask a question about the user's documents and get a grounded answer written by the local model \
                from the best passages, with numbered citations [n] and the cited files and lines. If the \
                documents do not contain the answer it says so instead of guessing. Slower than search \
                (seconds to a minute on a CPU); use search when passages are enough.
                """,
            inputSchema: schema(
                [
                    "question": property("string", "The question, in full."),
                    "path_prefix": property("string", "Only answer from documents whose absolute path starts with this."),
                    "sources": property("integer", "Most passages to answer from (1-20, default 5)."),
                ], required: ["question"]),
            annotations: .init(readOnlyHint: true)),
        Tool(
            name: "read_passage",
            description: """
                Read the indexed text of one document by line range (or page range for PDFs), e.g. to see more \
                around a search hit. Only indexed documents can be read; the text comes from the index, in \
                passages that may overlap by a few lines. Without a range it reads from the start (up to 16 KB).
                """,
            inputSchema: schema(
                [
                    "path": property("string", "The document's absolute path, as search returns it."),
                    "line_start": property("integer", "First line (1-based)."),
                    "line_end": property("integer", "Last line (inclusive)."),
                    "page_start": property("integer", "First page, for paged documents (PDF)."),
                    "page_end": property("integer", "Last page (inclusive)."),
                ], required: ["path"]),
            annotations: .init(readOnlyHint: true)),
        Tool(
            name: "list_sources",
            description: """
                List the folders Sotto indexes, with how many documents each holds. With documents_under, also \
                lists the indexed documents whose path starts with that prefix (up to 200).
                """,
            inputSchema: schema(
                ["documents_under": property("string", "Also list the indexed documents under this path prefix.")], required: []),
            annotations: .init(readOnlyHint: true)),
    ]

    private static func property(_ type: String, _ description: String) -> Value {
        .object(["type": .string(type), "description": .string(description)])
    }

    private static func schema(_ properties: [String: Value], required: [String]) -> Value {
        .object([
            "type": .string("object"), "properties": .object(properties), "required": .array(required.map { .string($0) }),
        ])
    }

    /// Runs a tool; a failure (bad arguments, the daemon's error) is a result marked as an error,
    /// which the model reads, rather than a protocol error.
    func call(_ name: String, _ arguments: [String: Value]) async -> CallTool.Result {
        do {
            let text = try await blocking { try self.run(name, Arguments(values: arguments)) }
            return Self.result(text, isError: false)
        } catch let error as ClientError {
            return Self.result(error.message, isError: true)
        } catch let error as ToolError {
            return Self.result(error.message, isError: true)
        } catch {
            return Self.result("\(error)", isError: true)
        }
    }

    private static func result(_ text: String, isError: Bool) -> CallTool.Result {
        .init(content: [.text(text: text, annotations: nil, _meta: nil)], isError: isError)
    }

    /// The client's calls block on the socket: they run off the cooperative pool.
    private func blocking(_ work: @escaping @Sendable () throws -> String) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(with: Result { try work() }) }
        }
    }

    private func run(_ name: String, _ arguments: Arguments) throws -> String {
        switch name {
        case "search": try search(arguments)
        case "ask": try ask(arguments)
        case "read_passage": try readPassage(arguments)
        case "list_sources": try listSources(arguments)
        default: throw ToolError(message: "there is no tool \(name.debugDescription); the tools are search, ask, read_passage, list_sources")
        }
    }

    private func search(_ arguments: Arguments) throws -> String {
        let query = try arguments.requiredString("query")
        let limit = try arguments.integer("limit", in: 1...50) ?? 8
        let response = try client.search(SearchRequest(
            query: query, limit: limit, mode: try arguments.string("mode"), pathPrefix: try arguments.string("path_prefix")))
        guard !response.hits.isEmpty else { return "No passages match \(query.debugDescription)." }
        var lines = ["\(response.hits.count) passages (\(response.mode.rawValue) search):"]
        for hit in response.hits {
            let section = hit.section.map { " § \($0)" } ?? ""
            lines.append("\n[\(hit.rank)] \(hit.path):\(hit.lineStart)-\(hit.lineEnd) (score \(String(format: "%.3f", hit.score)))\(section)")
            lines.append(hit.text)
        }
        return lines.joined(separator: "\n")
    }

    private func ask(_ arguments: Arguments) throws -> String {
        let request = AskRequest(
            question: try arguments.requiredString("question"), sources: try arguments.integer("sources"),
            pathPrefix: try arguments.string("path_prefix"))
        let result = try client.askWhole(request)
        var lines = [result.answer]
        if result.abstained {
            lines.append("\nClosest passages (not an answer):")
            for source in result.sources ?? [] { lines.append("- \(Self.location(source.path, source.lineStart, source.lineEnd, source.page))") }
        } else if !result.citations.isEmpty {
            lines.append("\nCitations:")
            for citation in result.citations {
                lines.append("[\(citation.number)] \(Self.location(citation.path, citation.lineStart, citation.lineEnd, citation.page))")
            }
        }
        return lines.joined(separator: "\n")
    }

    private func readPassage(_ arguments: Arguments) throws -> String {
        let request = PassageRequest(
            path: try arguments.requiredString("path"), lineStart: try arguments.integer("line_start", in: 1...Int.max),
            lineEnd: try arguments.integer("line_end", in: 1...Int.max), pageStart: try arguments.integer("page_start", in: 1...Int.max),
            pageEnd: try arguments.integer("page_end", in: 1...Int.max))
        let response = try client.passages(request)
        guard !response.chunks.isEmpty else {
            return "\(response.path) has no indexed text in that range (its passages cover lines 1-\(response.totalLines))."
        }
        var lines: [String] = []
        for chunk in response.chunks {
            lines.append("--- \(Self.location(response.path, chunk.lineStart, chunk.lineEnd, chunk.page))\(chunk.section.map { " § \($0)" } ?? "")")
            lines.append(chunk.text)
        }
        if response.truncated { lines.append("--- (more follows: read from line \((response.chunks.last?.lineEnd ?? 0) + 1))") }
        return lines.joined(separator: "\n")
    }

    private func listSources(_ arguments: Arguments) throws -> String {
        let sources = try client.sources().sources
        var lines = sources.isEmpty ? ["No folders are indexed (`sotto sources add PATH` adds one)."] : ["Indexed folders:"]
        for source in sources {
            lines.append("- \(source.path): \(source.documents) documents\(source.failed > 0 ? ", \(source.failed) failed" : "")\(source.exists ? "" : " (missing)")")
        }
        if let prefix = try arguments.string("documents_under") {
            let page = try client.documents(status: .indexed, pathPrefix: prefix, limit: 200)
            lines.append("\nIndexed documents under \(prefix) (\(page.total)):")
            for document in page.documents { lines.append("- \(document.path)") }
            if page.total > page.documents.count { lines.append("… and \(page.total - page.documents.count) more") }
        }
        return lines.joined(separator: "\n")
    }

    private static func location(_ path: String, _ lineStart: Int, _ lineEnd: Int, _ page: Int?) -> String {
        "\(path):\(lineStart)-\(lineEnd)" + (page.map { " (page \($0))" } ?? "")
    }
}

/// A tool's arguments, checked: a wrong type or range is a clear error for the model to correct.
private struct Arguments {
    let values: [String: Value]

    func string(_ name: String) throws -> String? {
        guard let value = values[name], value != .null else { return nil }
        guard let text = value.stringValue else { throw ToolError(message: "\(name) must be a string") }
        return text.isEmpty ? nil : text
    }

    func requiredString(_ name: String) throws -> String {
        guard let text = try string(name), !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ToolError(message: "\(name) is required")
        }
        return text
    }

    /// A whole number, in `range` when one is given (nil: the daemon checks the value it is sent).
    func integer(_ name: String, in range: ClosedRange<Int>? = nil) throws -> Int? {
        guard let value = values[name], value != .null else { return nil }
        // JSON has one number type: 5.0 is 5.
        let number = value.intValue ?? value.doubleValue.flatMap { $0 == $0.rounded() && abs($0) < 1e15 ? Int($0) : nil }
        guard let number else { throw ToolError(message: "\(name) must be a whole number") }
        if let range, !range.contains(number) {
            throw ToolError(message: "\(name) must be a whole number from \(range.lowerBound)\(range.upperBound == Int.max ? " up" : " to \(range.upperBound)")")
        }
        return number
    }
}

struct ToolError: Error {
    let message: String
}
