import API
import ArgumentParser
import Foundation

struct DocumentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "documents",
        abstract: "List the indexed documents with their status; failed ones show why.",
        discussion: """
            Each indexed document shows its chunks, size, format, pages and extractor, and what could not \
            be read in it. --failed lists everything that could not be indexed — failed and skipped — \
            grouped by reason; --skipped only what was skipped on purpose (binary, too large, a format \
            turned off). A document that killed the extractor twice is quarantined until it changes.
            """)

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .long, help: "What could not be indexed (failed and skipped), grouped by reason.") var failed = false
    @Flag(name: .long, help: "Only documents that were skipped (binary, too large, format turned off), grouped by reason.")
    var skipped = false
    @Option(name: .long, help: ArgumentHelp("Only documents under this path.", valueName: "prefix")) var path: String?
    @Option(name: .long, help: "How many to show (1–10000).") var limit = 1000
    @Option(name: .long, help: "Skip this many first.") var offset = 0
    @Flag(name: .long, help: "Print the response as JSON.") var json = false

    func validate() throws {
        guard !(failed && skipped) else { throw ValidationError("choose --failed or --skipped, not both") }
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 10000") }
        guard offset >= 0 else { throw ValidationError("--offset must be ≥ 0") }
    }

    func run() throws {
        let client = connection.makeClient()
        let prefix = path.map(SourcesCommand.absolute)
        if failed || skipped {
            let statuses: [DocumentInfo.Status] = failed ? [.failed, .skipped] : [.skipped]
            var documents: [DocumentInfo] = []
            var total = 0
            for status in statuses {
                let response = try withClientErrors {
                    try client.documents(status: status, pathPrefix: prefix, limit: limit, offset: offset)
                }
                documents += response.documents
                total += response.total
            }
            if json { return try JSONOutput.print(DocumentsResponse(documents: documents, total: total)) }
            try printGrouped(documents, total: total, client: client)
            return
        }
        let response = try withClientErrors {
            try client.documents(status: nil, pathPrefix: prefix, limit: limit, offset: offset)
        }
        if json { return try JSONOutput.print(response) }
        for document in response.documents {
            let path = Terminal.displayPath(document.path)
            switch document.status {
            case .indexed:
                print("indexed  \(path)  \(Terminal.dim(Self.facts(document).joined(separator: ", ")))")
                for problem in document.problems ?? [] { print("         " + Terminal.dim("! " + problem)) }
            case .failed:
                let label = document.quarantined == true ? "quarantined" : "failed"
                print("\(Terminal.red(label))   \(path)  \(Self.reason(document) ?? "")")
            case .skipped:
                print("skipped  \(path)  \(Terminal.dim(document.reason ?? ""))")
            }
        }
        let shown = response.documents.count
        if response.total > offset + shown {
            print(Terminal.dim("… \(response.total - offset - shown) more (use --offset \(offset + shown))"))
        } else if response.total == 0 {
            print("no documents" + (try hint(client)))
        }
    }

    /// `12 chunks, 48 KB, pdf, 3 pages, pdf (poppler 22.12.0)`.
    static func facts(_ document: DocumentInfo) -> [String] {
        var facts = ["\(document.chunks) chunks", Terminal.formatBytes(document.sizeBytes)]
        if let format = document.format {
            facts.append(format)
            if let pages = document.pageCount {
                let lower = document.path.lowercased()
                let unit = [".pptx", ".odp"].contains { lower.hasSuffix($0) } ? "slide"
                    : [".xlsx", ".ods"].contains { lower.hasSuffix($0) } ? "sheet" : "page"
                facts.append("\(pages) \(unit)\(pages == 1 ? "" : "s")")
            }
            if let extractor = document.extractor, extractor != format { facts.append(extractor) }
        } else if let kind = document.kind {
            facts.append(kind)
        }
        return facts
    }

    /// The reason as shown after the status label: a quarantined document's reason starts with
    /// "quarantined: " already, which the label says.
    static func reason(_ document: DocumentInfo) -> String? {
        guard document.quarantined == true, let reason = document.reason, reason.hasPrefix("quarantined: ") else { return document.reason }
        return String(reason.dropFirst("quarantined: ".count))
    }

    /// Failed and skipped documents under their reasons, the commonest reason first.
    private func printGrouped(_ documents: [DocumentInfo], total: Int, client: SottoClient) throws {
        guard !documents.isEmpty else {
            let what = failed ? "nothing failed or was skipped" : "nothing was skipped"
            print(what + (try hint(client)))
            return
        }
        let failedCount = documents.filter { $0.status == .failed }.count
        let skippedCount = documents.count - failedCount
        print(failed ? "could not be indexed: \(failedCount) failed, \(skippedCount) skipped" : "skipped: \(skippedCount)")
        var groups: [String: [DocumentInfo]] = [:]
        var order: [String] = []
        for document in documents {
            let label = document.quarantined == true ? "quarantined" : document.status.rawValue
            let key = "\(label): \(Self.reason(document) ?? "no reason recorded")"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(document)
        }
        order.sort { (groups[$0]?.count ?? 0, $1) > (groups[$1]?.count ?? 0, $0) }
        for key in order {
            let members = groups[key] ?? []
            print()
            let heading = "\(key) (\(members.count))"
            print(key.hasPrefix("skipped") ? Terminal.bold(heading) : Terminal.red(heading))
            for document in members.sorted(by: { $0.path < $1.path }) { print("    " + Terminal.displayPath(document.path)) }
        }
        if total > documents.count {
            print(Terminal.dim("… \(total - documents.count) more (use --limit and --offset)"))
        }
    }

    /// Where to go next when nothing is listed: add a folder, but only if there is none.
    private func hint(_ client: SottoClient) throws -> String {
        let sources = try withClientErrors { try client.sources() }
        return sources.sources.isEmpty ? "; add a folder with `sotto sources add`" : ""
    }
}
