import API
import ArgumentParser

struct ForgetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget",
        abstract: "Erase files or folders from the index, and keep them out of it.",
        discussion: """
            Removes every trace of what was indexed from each PATH (a file, or everything under a folder): the text,
            the full-text entries, the vectors; the database is then compacted so the text is not left in free pages
            or the write-ahead log. The paths are added to their source's excludes, so a rescan does not bring them
            back. Only root, the daemon's user and members of the admin group may forget.
            """)
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Files or folders inside a source.") var paths: [String]
    @Flag(name: .long, help: "Print the result as JSON.") var json = false

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("name at least one file or folder to forget") }
    }

    func run() throws {
        let result = try withClientErrors { try connection.makeClient().forget(paths: paths.map(SourcesCommand.absolute)) }
        if json { return try JSONOutput.print(result) }
        for item in result.forgotten {
            print("forgot \(Terminal.displayPath(item.path)) (\(item.documentsRemoved) documents erased)")
        }
    }
}
