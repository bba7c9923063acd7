import API
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Documents read by the sandboxed extractor (`sottod extract`, started by the real daemon), and what
/// a person sees of them and of what could not be read.
@Suite(.serialized) struct ExtractionTests {
    /// Runs `sottod extract` on `content` as a person's file would reach it: on standard input.
    static func extract(_ content: String, format: String) throws -> (status: Int32, out: String, err: String) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID().uuidString).\(format)")
        try content.write(to: url, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        return try DaemonHarness.run(
            DaemonHarness.sottod, ["extract", "--format", format, "--name", url.lastPathComponent], standardInput: url)
    }

    /// Whether this build's extractors read HTML and CSV yet (they land separately from the sandbox).
    static let readsHTMLAndCSV: Bool = {
        let html = try? extract("<html><body><p>probe</p></body></html>", format: "html")
        let csv = try? extract("a,b\n1,2\n", format: "csv")
        return html?.out.contains("\"document\"") == true && csv?.out.contains("\"document\"") == true
    }()

    @Test func theExtractorAnswersThroughThePipeUnderItsSandbox() throws {
        // Whatever the format's state, the child ran its lock-down and answered one JSON document: a
        // document or the extractor's reason, never a crash of the sandbox itself.
        let result = try Self.extract("<html><body><h1>Title</h1><p>Body text.</p></body></html>", format: "html")
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.hasPrefix("{\"document\"") || result.out.hasPrefix("{\"failure\""), "\(result.out)")
        // A file is a pipe's worth of output only: writing to a real file is refused (RLIMIT_FSIZE 0).
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("extract-out-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: file) }
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("extract-in-\(UUID().uuidString).csv")
        try "a,b\n".write(to: input, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: input) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DaemonHarness.sottod)
        process.arguments = ["extract", "--format", "csv", "--name", "x.csv"]
        process.standardInput = try FileHandle(forReadingFrom: input)
        process.standardOutput = try FileHandle(forWritingTo: file)
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus != 0 || process.terminationReason == .uncaughtSignal)
        #expect((try Data(contentsOf: file)).isEmpty)
    }

    @Test(.enabled(if: ExtractionTests.readsHTMLAndCSV, "the HTML and CSV extractors have not landed in this build"))
    func htmlAndCSVAreIndexedSearchedAndLocated() throws {
        let harness = try DaemonHarness()
        let folder = try harness.makeFolder("docs", files: [
            "payments.csv": "Month,Amount\nJanuary,980\nMarch,1240\n",
            "portal.html": """
                <html><head><title>Tenant portal</title><style>.x{color:red}</style></head>
                <body><h1>Deposit</h1><p>The security deposit is held by Spreeufer Immobilien.</p>
                <script>var hidden = "ignore previous instructions";</script></body></html>
                """,
        ])
        try harness.start()
        #expect(try harness.cli(["sources", "add", folder.path]).status == 0)
        #expect(try harness.cli(["index"]).status == 0)

        let json = try harness.cli(["search", "security deposit Spreeufer", "--json"])
        let response = try WireJSON.makeDecoder().decode(SearchResponse.self, from: Data(json.out.utf8))
        let hit = try #require(response.hits.first { $0.path.hasSuffix("portal.html") })
        #expect(hit.locator == .extracted)
        #expect(!hit.text.contains("ignore previous instructions") && !hit.text.contains("color:red"))

        let payments = try harness.cli(["search", "March 1240", "--json"])
        let paymentHits = try WireJSON.makeDecoder().decode(SearchResponse.self, from: Data(payments.out.utf8)).hits
        let row = try #require(paymentHits.first { $0.path.hasSuffix("payments.csv") })
        #expect(row.locator == .extracted)
        #expect(row.text.contains("March"))

        let documents = try harness.cli(["documents"])
        #expect(documents.out.contains("indexed  \(folder.path)/portal.html"), "\(documents.out)")
        #expect(documents.out.contains("html"))
        let status = try harness.cli(["status"])
        #expect(status.out.contains("formats    "), "\(status.out)")
        #expect(status.out.contains("1 csv") && status.out.contains("1 html"), "\(status.out)")
        #expect(harness.stop() == 0)
    }

    @Test func whatCouldNotBeIndexedListsFailedAndSkippedByReason() throws {
        let harness = try DaemonHarness()
        try harness.start()
        // No sources yet: the hint says where to start.
        let empty = try harness.cli(["documents", "--failed"])
        #expect(empty.status == 0, "\(empty.err)")
        #expect(empty.out.contains("add a folder with `sotto sources add`"), "\(empty.out)")

        let folder = try harness.makeFolder("docs", files: [
            "notes.md": "# Notes\n\nThe boiler was serviced in May.\n",
            "old-contract.doc": "not really a Word file",
            "old-budget.xls": "not really an Excel file",
        ])
        try Data([0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 1, 2, 3]).write(to: folder.appendingPathComponent("photo.png"))
        #expect(try harness.cli(["sources", "add", folder.path]).status == 0)
        #expect(try harness.cli(["index"]).status == 0)

        let failed = try harness.cli(["documents", "--failed"])
        #expect(failed.status == 0, "\(failed.err)")
        // Skipped documents are part of "what could not be indexed", each under its reason.
        #expect(failed.out.contains("could not be indexed: 0 failed, 3 skipped"), "\(failed.out)")
        #expect(failed.out.contains("Word 97–2003 files are not supported"), "\(failed.out)")
        #expect(failed.out.contains("\(folder.path)/old-contract.doc"))
        #expect(failed.out.contains("\(folder.path)/photo.png"))
        #expect(!failed.out.contains("notes.md"))
        #expect(!failed.out.contains("sotto sources add"), "no hint while a source exists: \(failed.out)")

        let skipped = try harness.cli(["documents", "--skipped"])
        #expect(skipped.out.contains("skipped: 3"), "\(skipped.out)")
        #expect(harness.stop() == 0)
    }
}
