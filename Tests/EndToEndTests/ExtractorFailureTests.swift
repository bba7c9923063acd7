import API
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Documents that kill the real sandboxed extractor, for real causes: a PDF whose page needs gigabytes
/// (two million graphics-state saves), and one whose page would keep poppler busy for hours (forms
/// drawing forms, ten times over, seven deep). Each costs that document only, with its reason; the
/// rest of the folder is indexed; twice, and the document is quarantined until it changes.
/// Margins are wide for a loaded machine: the hungry PDF needs some 2 GB against a 64 MB limit, the
/// slow one hours against a 10 s timeout, while an ordinary document takes about a second there.
@Suite(.serialized) struct ExtractorFailureTests {
    static let hungry = "nested-saves.pdf"
    static let slow = "form-fan-out.pdf"

    /// A daemon with `index` settings over a folder of ordinary documents (Markdown read in-process;
    /// a PDF and a Word file read by the extractor) and `extra` fixtures, added and indexed.
    static func indexedFolder(_ index: String, with extra: [String]) throws -> (DaemonHarness, URL) {
        let harness = try DaemonHarness(config: "[index]\ndebounce_ms = 100\n\(index)\n")
        let folder = try harness.makeFolder("docs", files: ["notes.md": "# Notes\n\nThe boiler was serviced in May.\n"])
        for name in ["lease.pdf", "lease.docx"] + extra {
            try FileManager.default.copyItem(at: ExtractionTests.fixture(name), to: folder.appendingPathComponent(name))
        }
        try harness.start()
        #expect(try harness.cli(["sources", "add", folder.path]).status == 0)
        #expect(try harness.cli(["index"]).status == 0)
        return (harness, folder)
    }

    /// The document at `path` failed with a reason containing `reason`, and `sotto documents --failed` lists it so.
    static func expectFailed(_ harness: DaemonHarness, _ path: String, reason: String) throws {
        let info = try #require(try document(harness, path))
        #expect(info.status == .failed)
        #expect(info.reason?.contains(reason) == true, "\(String(describing: info.reason))")
        let failed = try harness.cli(["documents", "--failed"])
        #expect(failed.out.contains("could not be indexed: 1 failed, 0 skipped"), "\(failed.out)")
        #expect(failed.out.contains(reason), "\(failed.out)")
        #expect(failed.out.contains(path))
        // One failed (and, if the document was killed twice, quarantined).
        let status = try harness.cli(["status"])
        #expect(status.out.contains("documents  4: 3 indexed, 1 failed"), "\(status.out)")
        #expect(status.out.contains(", 0 skipped"), "\(status.out)")
    }

    /// The rest of the folder was indexed and is found.
    static func expectTheRestIsIndexed(_ harness: DaemonHarness, _ folder: URL) throws {
        let response = try harness.client.search(SearchRequest(query: "lease ends 31 March 2027", limit: 20))
        let paths = Set(response.hits.map(\.path))
        #expect(paths.contains(folder.appendingPathComponent("lease.pdf").path), "\(paths)")
        #expect(paths.contains(folder.appendingPathComponent("lease.docx").path), "\(paths)")
        let term = response.hits.first { $0.path.hasSuffix("/lease.pdf") && $0.text.contains("31 March 2027") }
        #expect(term?.page == 2)
        #expect(try harness.client.search(SearchRequest(query: "boiler serviced", limit: 5)).hits.first?.path
            == folder.appendingPathComponent("notes.md").path)
    }

    static func document(_ harness: DaemonHarness, _ path: String) throws -> DocumentInfo? {
        try harness.client.documents(limit: 1000).documents.first { $0.path == path }
    }

    /// Waits until `path` is recorded with a status for which `done` holds.
    @discardableResult
    static func waitFor(_ harness: DaemonHarness, _ path: String, timeout: TimeInterval = 120, _ done: (DocumentInfo) -> Bool) throws
        -> DocumentInfo
    {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let info = try document(harness, path), done(info) { return info }
            usleep(100_000)
        }
        throw HarnessError("\(path) did not reach the expected state within \(timeout) s: \(String(describing: try document(harness, path)))")
    }

    @Test func aDocumentThatRunsTheExtractorOutOfMemoryFailsWithItsReasonAndTheRestIsIndexed() throws {
        let (harness, folder) = try Self.indexedFolder("extract_memory_mb = 64", with: [Self.hungry])
        // Failed once or, if the scan that `sources add` started and `index` were two passes, quarantined.
        try Self.expectFailed(harness, folder.appendingPathComponent(Self.hungry).path, reason: "ran out of memory (limit 64 MB)")
        try Self.expectTheRestIsIndexed(harness, folder)
        #expect(harness.stop() == 0)
    }

    @Test func aDocumentThatHangsTheExtractorTimesOutAndTheRestIsIndexed() throws {
        let (harness, folder) = try Self.indexedFolder("extract_timeout = 10", with: [Self.slow])
        try Self.expectFailed(harness, folder.appendingPathComponent(Self.slow).path, reason: "timed out after 10 s")
        try Self.expectTheRestIsIndexed(harness, folder)
        // The child was killed, not left running.
        #expect(try Self.extractorChildren(of: harness).isEmpty)
        #expect(harness.stop() == 0)
    }

    /// `sottod extract` processes whose parent is the harness's daemon.
    static func extractorChildren(of harness: DaemonHarness) throws -> [Int32] {
        guard let daemon = harness.process?.processIdentifier else { return [] }
        var children: [Int32] = []
        for entry in try FileManager.default.contentsOfDirectory(atPath: "/proc") {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == daemon { children.append(pid) }
        }
        return children
    }

    @Test func twiceKilledIsQuarantinedAcrossRestartsUntilTheFileChanges() throws {
        let (harness, folder) = try Self.indexedFolder("extract_memory_mb = 64", with: [])

        // Moved in whole (one rename, one watcher event): read once by the extractor, killed once.
        let path = folder.appendingPathComponent(Self.hungry).path
        let staged = harness.directory.appendingPathComponent("staged.pdf")
        try FileManager.default.copyItem(at: ExtractionTests.fixture(Self.hungry), to: staged)
        #expect(rename(staged.path, path) == 0)
        let once = try Self.waitFor(harness, path) { $0.status == .failed }
        #expect(once.quarantined == nil, "one kill is not enough: \(String(describing: once.reason))")
        #expect(once.reason == "ran out of memory (limit 64 MB)")
        #expect(try harness.client.status().counts.quarantined == 0)

        // A failed document is tried again on the next scan: the second kill quarantines it.
        #expect(try harness.cli(["index"]).status == 0)
        let twice = try #require(try Self.document(harness, path))
        #expect(twice.status == .failed)
        #expect(twice.quarantined == true)
        #expect(twice.reason?.hasPrefix("quarantined: ran out of memory (limit 64 MB), twice") == true, "\(String(describing: twice.reason))")
        let failed = try harness.cli(["documents", "--failed"])
        #expect(failed.out.contains("quarantined: ran out of memory (limit 64 MB), twice; it is not read again until the file changes (1)"),
                "\(failed.out)")
        #expect(!failed.out.contains("quarantined: quarantined"), "\(failed.out)")
        let listed = try harness.cli(["documents"])
        #expect(listed.out.contains("quarantined   \(path)  ran out of memory (limit 64 MB), twice"), "\(listed.out)")
        let status = try harness.cli(["status"])
        #expect(status.out.contains("documents  4: 3 indexed, 1 failed (1 quarantined), 0 skipped"), "\(status.out)")
        #expect(try harness.client.status().counts.quarantined == 1)

        // Remembered across a restart: the start-up scan and another pass do not read it again.
        #expect(harness.stop() == 0)
        try harness.start()
        try harness.waitUntilIdle()
        #expect(try harness.cli(["index"]).status == 0)
        let afterRestart = try #require(try Self.document(harness, path))
        #expect(afterRestart.quarantined == true)
        #expect(afterRestart.indexedAt == twice.indexedAt, "a quarantined document is not read again")
        try Self.expectTheRestIsIndexed(harness, folder)

        // Changed (a readable PDF now), it is read again.
        let replacement = harness.directory.appendingPathComponent("replacement.pdf")
        try FileManager.default.copyItem(at: ExtractionTests.fixture("lease.pdf"), to: replacement)
        #expect(rename(replacement.path, path) == 0)
        let changed = try Self.waitFor(harness, path) { $0.status == .indexed }
        #expect(changed.quarantined == nil)
        #expect(try harness.client.status().counts.quarantined == 0)
        #expect(try harness.client.search(SearchRequest(query: "31 March 2027", limit: 20)).hits.contains { $0.path == path })
        #expect(harness.stop() == 0)
    }
}
