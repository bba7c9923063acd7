import API
import ArgumentParser
import Foundation

struct SourcesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources", abstract: "Manage the folders sottod indexes.",
        subcommands: [Add.self, List.self, Remove.self], defaultSubcommand: List.self)

    /// Makes a path absolute against the current directory, as the daemon needs.
    static func absolute(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        let full = expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded
        return (full as NSString).standardizingPath
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a folder to index (and start indexing it).",
            discussion: """
                By default hidden files and folders, .git, node_modules and build folders are skipped. \
                Globs without a slash match a name at any depth; with a slash, a path relative to the folder; \
                ** matches any number of folders.
                """)

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The folder.") var path: String
        @Option(name: .long, help: ArgumentHelp("Only index files matching this glob (repeatable).", valueName: "glob"))
        var include: [String] = []
        @Option(name: .long, help: ArgumentHelp("Skip files and folders matching this glob (repeatable).", valueName: "glob"))
        var exclude: [String] = []
        @Flag(name: .long, help: "Do not apply the default exclusions (hidden files, .git, node_modules, build folders).")
        var noDefaultExcludes = false
        @Flag(name: .long, help: "Print the new source as JSON.") var json = false

        func run() throws {
            let request = SourceRequest(
                path: SourcesCommand.absolute(path), include: include, exclude: exclude, useDefaultExcludes: !noDefaultExcludes)
            let source = try withClientErrors { try connection.makeClient().addSource(request) }
            if json {
                try JSONOutput.print(source)
            } else {
                print("added \(Terminal.displayPath(source.path)); indexing runs in the background (`sotto index` shows progress)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the folders being indexed.")
        @OptionGroup var connection: ConnectionOptions
        @Flag(name: .long, help: "Print the sources as JSON.") var json = false

        func run() throws {
            let response = try withClientErrors { try connection.makeClient().sources() }
            if json { return try JSONOutput.print(response) }
            if response.sources.isEmpty {
                print("no sources yet; add one with `sotto sources add ~/Documents`")
                return
            }
            for source in response.sources {
                var line = "\(Terminal.bold(Terminal.displayPath(source.path)))  \(source.documents) documents"
                if source.failed > 0 { line += ", \(Terminal.red("\(source.failed) failed"))" }
                if !source.exists { line += "  \(Terminal.red("(missing)"))" }
                print(line)
                if !source.include.isEmpty { print("  include: \(source.include.joined(separator: " "))") }
                if !source.exclude.isEmpty { print("  exclude: \(source.exclude.joined(separator: " "))") }
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop indexing a folder and forget what was indexed from it.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The folder, as `sotto sources list` shows it.") var path: String
        @Flag(name: .long, help: "Print the result as JSON.") var json = false

        func run() throws {
            let removed = try withClientErrors { try connection.makeClient().removeSource(path: SourcesCommand.absolute(path)) }
            if json { return try JSONOutput.print(removed) }
            print("removed \(Terminal.displayPath(removed.path)) and its \(removed.documentsRemoved) documents from the index")
        }
    }
}

enum JSONOutput {
    static func print<T: Encodable>(_ value: T) throws {
        let encoder = WireJSON.makeEncoder()
        encoder.outputFormatting.insert(.prettyPrinted)
        Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
