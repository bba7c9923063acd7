import API
import ArgumentParser
import Foundation

struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index", abstract: "Rescan the sources now and show the progress until the index is in step.",
        discussion: """
            Unchanged files are skipped. Scans and images are read by OCR after the other documents, which \
            are searchable meanwhile; by default this waits for OCR too and shows its pages done and to do. \
            On a terminal a live progress bar is shown; otherwise one line a second.
            """)

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Rescan only this source (default: all).") var path: String?
    @Flag(name: .long, help: "Print progress events as JSON lines (NDJSON).") var json = false
    @Flag(name: .customLong("no-wait-for-ocr"), help: "Return once the other documents are indexed; OCR goes on in the background.")
    var noWaitForOCR = false

    func run() throws {
        let client = connection.makeClient(timeout: 120)
        let request = IndexRequest(path: path.map(SourcesCommand.absolute), waitForOCR: noWaitForOCR ? false : nil)
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
        var ocr = ""
        if let o = last.ocr, o.pagesDone > 0 {
            ocr = ", \(o.pagesRecognized) pages read by OCR"
            if !o.isIdle { ocr += " (\(o.pagesToDo) pages still waiting; `sotto status` shows how far)" }
        }
        print("done: \(last.total) files checked\(ocr)\(failed)")
    }

    static func plain(_ p: IndexProgress) -> String {
        switch p.state {
        case .idle: return "idle"
        case .recognizing: return p.ocr.map(ocrLine) ?? "reading scans by OCR"
        case .scanning: return "scanning for changes"
        case .indexing:
            return "\(p.done)/\(p.total) files, \(String(format: "%.1f", p.filesPerSecond)) files/s\(p.currentPath.map { ", " + Terminal.displayPath($0) } ?? "")"
        }
    }

    /// `OCR: 12 pages done, 40 to do (3 documents), 4.1 pages/min, scans/letter.pdf`.
    static func ocrLine(_ o: IndexProgress.OCR) -> String {
        var line = "OCR: \(o.pagesDone) pages done, \(o.pagesToDo) to do (\(o.documentsToDo) document\(o.documentsToDo == 1 ? "" : "s"))"
        if o.pagesDone > 0 { line += ", \(String(format: "%.1f", o.pagesPerMinute)) pages/min" }
        if let current = o.currentPath { line += ", " + Terminal.displayPath(current) }
        return line
    }

    /// `[#####-----] 120/300  12.3 files/s  notes/todo.md`, cut to the terminal's width; after the pass,
    /// OCR's pages the same way.
    static func bar(_ p: IndexProgress, width: Int) -> String {
        if p.state == .recognizing, let o = p.ocr {
            return ocrBar(o, width: width)
        }
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

    /// `OCR [##------] 12/52 pages  4.1 pages/min  scans/letter.pdf`: pages done since the daemon
    /// started against those done and still to do.
    static func ocrBar(_ o: IndexProgress.OCR, width: Int) -> String {
        let cells = 24
        let all = o.pagesDone + o.pagesToDo
        let filled = all > 0 ? min(cells, cells * o.pagesDone / all) : 0
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: cells - filled) + "]"
        var line = "OCR \(bar) \(o.pagesDone)/\(all) pages"
        if o.pagesDone > 0 { line += "  \(String(format: "%.1f", o.pagesPerMinute)) pages/min" }
        if let current = o.currentPath {
            let room = width - line.count - 3
            if room > 10 {
                let name = Terminal.displayPath(current)
                line += "  " + (name.count > room ? "…" + name.suffix(room - 1) : name)
            }
        }
        return String(line.prefix(width - 1)) + "\u{1B}[K"
    }
}
