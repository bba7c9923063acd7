import API
import ArgumentParser
import Foundation

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show what the daemon is doing and what its index holds.")

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .long, help: "Print the status as JSON (the /v1/status document).") var json = false

    func run() throws {
        let client = connection.makeClient()
        if json {
            let answer = try withClientErrors { try client.raw("GET", "/status", body: nil) }
            guard answer.status == 200 else { throw ExitCode(1) }
            print(String(decoding: answer.body, as: UTF8.self), terminator: "")
            return
        }
        let status = try withClientErrors { try client.status() }
        let c = status.counts
        print("\(Terminal.bold("sottod")) \(status.version) (pid \(status.pid)), up \(Terminal.formatDuration(status.uptimeSeconds))")
        print("socket     \(status.socket)")
        print("database   \(status.database.path)" + (status.database.sizeBytes.map { " (\(Terminal.formatBytes($0)))" } ?? ""))
        print("sources    \(c.roots)")
        let quarantined = (c.quarantined ?? 0) > 0 ? " (\(c.quarantined ?? 0) quarantined)" : ""
        print("documents  \(c.documents): \(c.indexed) indexed, \(c.failed) failed\(quarantined), \(c.skipped) skipped")
        if let byFormat = c.byFormat, !byFormat.isEmpty {
            let list = byFormat.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.value) \($0.key)" }
            print("formats    \(list.joined(separator: ", "))")
        }
        print("chunks     \(c.chunks)")
        let p = status.indexing
        switch p.state {
        case .idle:
            print("indexing   idle (\(p.queued) queued)")
        case .scanning:
            print("indexing   scanning for changes (\(p.queued) queued)")
        case .recognizing:
            print("indexing   reading scans by OCR (\(p.queued) queued)")
        case .indexing:
            print("indexing   \(p.done)/\(p.total) files, \(String(format: "%.1f", p.filesPerSecond)) files/s, \(p.queued) queued")
            if let current = p.currentPath { print("           \(Terminal.dim(Terminal.displayPath(current)))") }
        }
        if let e = status.embedding {
            let share = e.chunks > 0 ? " (\(100 * e.embedded / e.chunks)%)" : ""
            var line = "embedding  \(e.model): \(e.embedded)/\(e.chunks) chunks\(share)"
            if e.state == "embedding" { line += ", \(String(format: "%.1f", e.chunksPerSecond)) chunks/s" }
            if !e.active { line += ", not yet used by search" }
            print(line)
            if let error = e.lastError { print("           \(Terminal.red(error))") }
        }
        if status.denseSearch.available {
            print("search     words and meaning (hybrid), \(status.denseSearch.vectors) vectors in memory")
        } else {
            print("search     words only (BM25): \(status.denseSearch.reason ?? "no encoder")")
        }
        if let decoder = status.decoder {
            let queue = decoder.queue.busy ? ", answering (\(decoder.queue.waiting) waiting)" : ""
            if let name = decoder.defaultModel, let model = decoder.models.first(where: { $0.name == name }) {
                print("answers    \(name): \(model.state)\(queue)\(model.message.map { " " + Terminal.red($0) } ?? "")")
            } else {
                print("answers    no decoder installed (Scripts/fetch-models decoders); search still works")
            }
        }
        if let ocr = status.ocr {
            if ocr.enabled {
                var line = "ocr        on (\(ocr.languages.joined(separator: "+")), \(ocr.engine ?? "tesseract")): \(ocr.pages) pages recognised"
                if ocr.pages > 0 || ocr.pagesPerMinute > 0 { line += ", \(String(format: "%.1f", ocr.pagesPerMinute)) pages/min" }
                if let documents = ocr.documentsToDo, documents > 0 {
                    line += "; \(ocr.pagesToDo ?? 0) pages to do (\(documents) document\(documents == 1 ? "" : "s"))"
                }
                print(line)
                if let current = ocr.currentDocument { print("           reading \(Terminal.dim(current))") }
            } else {
                print("ocr        off: \(ocr.reason ?? "not configured"); scans and images are not read")
            }
        }
        if let error = status.lastError {
            let when = ISO8601DateFormatter().string(from: error.at)
            let place = error.path.map { " \(Terminal.displayPath($0)):" } ?? ""
            print("last error \(when)\(place) \(Terminal.red(error.message))")
        }
    }
}
