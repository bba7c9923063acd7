import API
import ArgumentParser
import Foundation

struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index", abstract: "Rescan the sources now and show the progress until the index is in step.",
        discussion: "Unchanged files are skipped. On a terminal a live progress bar is shown; otherwise one line a second.")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Rescan only this source (default: all).") var path: String?
    @Flag(name: .long, help: "Print progress events as JSON lines (NDJSON).") var json = false

    func run() throws {
        let client = connection.makeClient(timeout: 120)
        let request = IndexRequest(path: path.map(SourcesCommand.absolute))
        var last: IndexProgress?
        var lastPlainLine = Date.distantPast
        try withClientErrors {
            try client.index(request) { progress in
                last = progress
                if json {
                    let line = try WireJSON.makeEncoder().encode(progress)
                    print(String(decoding: line, as: UTF8.self))
                } else if Terminal.isInteractive {
                    print("\r" + Self.bar(progress, width: Terminal.width), terminator: "")
                    fflush(nil)
                } else if Date().timeIntervalSince(lastPlainLine) >= 1 {
                    lastPlainLine = Date()
                    print(Self.plain(progress))
                }
            }
        }
        guard !json, let last else { return }
        if Terminal.isInteractive { print("\r\u{1B}[K", terminator: "") }
        let failed = last.failed > 0 ? ", \(Terminal.red("\(last.failed) failed")) (see `sotto documents --failed`)" : ""
        print("done: \(last.total) files checked\(failed)")
    }

    static func plain(_ p: IndexProgress) -> String {
        switch p.state {
        case .idle: "idle"
        case .scanning: "scanning for changes"
        case .indexing:
            "\(p.done)/\(p.total) files, \(String(format: "%.1f", p.filesPerSecond)) files/s\(p.currentPath.map { ", " + Terminal.displayPath($0) } ?? "")"
        }
    }

    /// `[#####-----] 120/300  12.3 files/s  notes/todo.md`, cut to the terminal's width.
    static func bar(_ p: IndexProgress, width: Int) -> String {
        guard p.state == .indexing, p.total > 0 else { return String(plain(p).prefix(width - 1)) + "\u{1B}[K" }
        let cells = 24
        let filled = min(cells, cells * p.done / p.total)
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: cells - filled) + "]"
        var line = "\(bar) \(p.done)/\(p.total)  \(String(format: "%.1f", p.filesPerSecond)) files/s"
        if let current = p.currentPath {
            let room = width - line.count - 3
            if room > 10 {
                let name = Terminal.displayPath(current)
                line += "  " + (name.count > room ? "…" + name.suffix(room - 1) : name)
            }
        }
        return line + "\u{1B}[K"
    }
}
