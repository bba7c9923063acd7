import API
import ArgumentParser
import Foundation

struct DocumentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "documents", abstract: "List the indexed documents with their status; failed ones show why.")

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .long, help: "Only documents that failed.") var failed = false
    @Flag(name: .long, help: "Only documents that were skipped (binary, too large).") var skipped = false
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
        let status: DocumentInfo.Status? = failed ? .failed : (skipped ? .skipped : nil)
        let response = try withClientErrors {
            try connection.makeClient().documents(
                status: status, pathPrefix: path.map(SourcesCommand.absolute), limit: limit, offset: offset)
        }
        if json { return try JSONOutput.print(response) }
        for document in response.documents {
            let path = Terminal.displayPath(document.path)
            switch document.status {
            case .indexed:
                print("indexed  \(path)  \(Terminal.dim("\(document.chunks) chunks, \(Terminal.formatBytes(document.sizeBytes))"))")
            case .failed:
                print("\(Terminal.red("failed"))   \(path)  \(document.reason ?? "")")
            case .skipped:
                print("skipped  \(path)  \(Terminal.dim(document.reason ?? ""))")
            }
        }
        let shown = response.documents.count
        if response.total > offset + shown {
            print(Terminal.dim("… \(response.total - offset - shown) more (use --offset \(offset + shown))"))
        } else if response.total == 0 {
            print("no documents\(status.map { " with status \($0.rawValue)" } ?? ""); add a folder with `sotto sources add`")
        }
    }
}
