import API
import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Scans and images read by OCR inside the real sandboxed child, and a daemon that indexes them, cites
/// them as OCR, and keeps serving through hostile ones.
@Suite(.serialized) struct OCRTests {
    static let fixtures = DaemonHarness.packageRoot.appendingPathComponent("Tests/ExtractTests/Fixtures")

    /// Where Debian (and the others) put Tesseract's English data; Scripts/install-deps installs it.
    static let dataDirectory = ["/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata", "/usr/share/tessdata"]
        .first { FileManager.default.fileExists(atPath: $0 + "/eng.traineddata") }
    static let skipReason: Comment = "no Tesseract language data for eng (Scripts/install-deps installs tesseract-ocr-eng)"

    /// `sottod extract` on a fixture with OCR, as the daemon runs it (its environment, its sandbox).
    static func extract(_ fixture: String, format: String, maxPages: Int = 100) throws -> (status: Int32, out: String, err: String) {
        let settings = """
            {"languages":["eng"],"dataDirectory":"\(dataDirectory ?? "")","pageTimeoutSeconds":120,"maxPages":\(maxPages),\
            "minConfidence":40,"minTextCharacters":32,"dpi":300,"maxImagePixels":40000000}
            """
        return try DaemonHarness.run(
            DaemonHarness.sottod,
            ["extract", "--format", format, "--name", fixture, "--cpu-limit-seconds", "600", "--ocr", settings],
            environment: ["OMP_THREAD_LIMIT": "1"], standardInput: fixtures.appendingPathComponent(fixture))
    }

    @Test(.enabled(if: OCRTests.dataDirectory != nil, OCRTests.skipReason))
    func theSandboxedChildRecognisesScansAndRefusesHostileImages() throws {
        let letter = try Self.extract("letter-scan.pdf", format: "pdf")
        #expect(letter.status == 0, "\(letter.err)")
        #expect(letter.out.hasPrefix("{\"document\""), "\(letter.out)")
        #expect(letter.out.contains("12 February 2027") && letter.out.contains("\"isOCR\":true"), "\(letter.out)")

        let bomb = try Self.extract("image-bomb.png", format: "png")
        #expect(bomb.status == 0, "\(bomb.err)")
        #expect(bomb.out.contains("\"limitExceeded\"") && bomb.out.contains("12000×12000"), "\(bomb.out)")

        let corrupt = try Self.extract("corrupt.png", format: "png")
        #expect(corrupt.status == 0, "\(corrupt.err)")
        #expect(corrupt.out.contains("\"corrupt\""), "\(corrupt.out)")

        let many = try Self.extract("many-pages-scan.pdf", format: "pdf", maxPages: 2)
        #expect(many.status == 0, "\(many.err)")
        #expect(many.out.contains("\"pageCount\":2000"), "\(many.out.prefix(500))")
        #expect(many.out.contains("1998 more pages without a text layer (from page 3) were not recognised"), "\(many.out.prefix(2000))")
    }

    /// The issue's end-to-end bar for hostile scans: a corrupt image and a decompression bomb end
    /// with a clear reason, a 2,000-page scan within the page limit, and the daemon serves throughout.
    @Test(.enabled(if: OCRTests.dataDirectory != nil, OCRTests.skipReason))
    func aScannedLetterIsSearchedAndCitedAsOCRAndHostileImagesCostOnlyThemselves() throws {
        let harness = try DaemonHarness(config: "[index]\ndebounce_ms = 100\n[ocr]\nmax_pages = 2\npage_timeout = 120\n")
        let folder = try harness.makeFolder("home", files: ["notes.md": "# Notes\n\nThe boiler was serviced in May.\n"])
        for (fixture, name) in [
            ("letter-scan.pdf", "clinic-letter-scan.pdf"), ("lease-photo.jpg", "lease-photo.jpg"), ("image-bomb.png", "bomb.png"),
            ("corrupt.png", "corrupt.png"), ("many-pages-scan.pdf", "archive-scan.pdf"),
        ] {
            try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent(fixture), to: folder.appendingPathComponent(name))
        }
        try harness.start()
        #expect(try harness.cli(["sources", "add", folder.path]).status == 0)
        // Served while OCR reads the hostile files: the pass is done, the notes are found.
        #expect(try harness.cli(["index", "--no-wait-for-ocr"]).status == 0)
        let notes = try harness.cli(["search", "boiler serviced May", "--json"])
        #expect(try WireJSON.makeDecoder().decode(SearchResponse.self, from: Data(notes.out.utf8)).hits
            .contains { $0.path.hasSuffix("notes.md") }, "\(notes.out)")
        let surveyed = try #require(try harness.client.status().indexing.ocr)
        // Five documents, six pages: the 2,000-page scan costs its max_pages (2), each image one.
        #expect(surveyed.documentsDone + surveyed.documentsToDo == 5 && surveyed.pagesDone + surveyed.pagesToDo == 6, "\(surveyed)")
        #expect(try harness.cli(["index"]).status == 0)

        let json = try harness.cli(["search", "follow-up appointment Dr Nowak", "--json"])
        let hits = try WireJSON.makeDecoder().decode(SearchResponse.self, from: Data(json.out.utf8)).hits
        let hit = try #require(hits.first { $0.path.hasSuffix("clinic-letter-scan.pdf") }, "\(json.out)")
        #expect(hit.ocr == true && hit.page == 1 && hit.locator == .extracted)
        #expect(hit.text.contains("12 February 2027"))
        let shown = try harness.cli(["search", "follow-up appointment Dr Nowak"])
        #expect(shown.out.contains("clinic-letter-scan.pdf p. 1 (OCR)"), "\(shown.out)")
        let photo = try harness.cli(["search", "lease begins 1 April 2025", "--json"])
        #expect(try WireJSON.makeDecoder().decode(SearchResponse.self, from: Data(photo.out.utf8)).hits
            .contains { $0.path.hasSuffix("lease-photo.jpg") && $0.ocr == true }, "\(photo.out)")

        let failed = try harness.cli(["documents", "--failed"])
        #expect(failed.out.contains("\(folder.path)/bomb.png") && failed.out.contains("max_image_pixels"), "\(failed.out)")
        #expect(failed.out.contains("\(folder.path)/corrupt.png") && failed.out.contains("not a readable image"), "\(failed.out)")
        let documents = try harness.cli(["documents"])
        #expect(documents.out.contains("archive-scan.pdf"), "\(documents.out)")
        #expect(documents.out.contains("[ocr] max_pages is 2"), "\(documents.out)")

        // Still serving, and it says what OCR did.
        let status = try harness.cli(["status"])
        #expect(status.status == 0)
        #expect(status.out.contains("ocr        on (eng, tesseract "), "\(status.out)")
        let wire = try harness.client.status()
        #expect(wire.ocr?.enabled == true && (wire.ocr?.pages ?? 0) >= 4, "letter 1 + photo 1 + archive 2 pages")
        #expect(wire.indexing.state == .idle && wire.indexing.ocr?.documentsDone == 5 && wire.indexing.ocr?.pagesDone == 6)
        #expect(harness.stop() == 0)
    }

    /// OCR after the cheap documents: `sotto index --no-wait-for-ocr` returns when the pass is done,
    /// the text file saved beside the scans is searchable then, and status counts the scans' pages
    /// done and to do until OCR has read them; `sotto index` waits for that.
    @Test(.enabled(if: OCRTests.dataDirectory != nil, OCRTests.skipReason))
    func aTextFileIsSearchableWhileItsScansWaitForOCRAndStatusCountsTheirPages() throws {
        let harness = try DaemonHarness(config: "[index]\ndebounce_ms = 100\n[ocr]\nmax_pages = 4\npage_timeout = 120\n")
        let folder = try harness.makeFolder("home", files: ["notes.md": "# Notes\n\nThe boiler was serviced in May.\n"])
        for (fixture, name) in [("many-pages-scan.pdf", "archive-scan.pdf"), ("lease-scan.tiff", "lease-scan.tiff")] {
            try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent(fixture), to: folder.appendingPathComponent(name))
        }
        try harness.start()
        #expect(try harness.cli(["sources", "add", folder.path]).status == 0)
        #expect(try harness.cli(["index", "--no-wait-for-ocr"]).status == 0)
        // The pass is done: the notes are searchable while OCR has its seven pages to read (4 of the
        // archive's 2,000 by max_pages, the TIFF's 3), seconds of work.
        let early = try harness.client.status()
        let found = try harness.cli(["search", "boiler serviced May", "--json"])
        #expect(try WireJSON.makeDecoder().decode(SearchResponse.self, from: Data(found.out.utf8)).hits
            .contains { $0.path.hasSuffix("notes.md") }, "\(found.out)")
        let ocr = try #require(early.indexing.ocr)
        #expect(ocr.documentsToDo >= 1, "OCR of seven pages is not done the moment the pass ends: \(ocr)")
        #expect(early.indexing.state == .recognizing)
        #expect(ocr.documentsDone + ocr.documentsToDo == 2 && ocr.pagesDone + ocr.pagesToDo == 7, "\(ocr)")
        #expect(early.ocr?.pagesToDo == ocr.pagesToDo && early.ocr?.documentsToDo == ocr.documentsToDo)
        let waiting = try harness.cli(["documents"])
        #expect(waiting.out.contains("waiting for OCR") || ocr.documentsToDo == 1, "\(waiting.out)")

        let index = try harness.cli(["index"])
        #expect(index.status == 0 && index.out.contains("pages read by OCR"), "\(index.out)")
        let done = try harness.client.status()
        let read = try #require(done.indexing.ocr)
        #expect(done.indexing.state == .idle)
        #expect(read.documentsToDo == 0 && read.pagesToDo == 0 && read.documentsDone == 2 && read.pagesDone == 7, "\(read)")
        #expect(read.pagesPerMinute > 0 && read.pagesRecognized >= 2 && done.ocr?.pages == read.pagesRecognized)
        let shown = try harness.cli(["status"])
        #expect(shown.out.contains("pages recognised, ") && shown.out.contains(" pages/min"), "\(shown.out)")
        let lease = try harness.cli(["search", "monthly rent due first day", "--json"])
        #expect(try WireJSON.makeDecoder().decode(SearchResponse.self, from: Data(lease.out.utf8)).hits
            .contains { $0.path.hasSuffix("lease-scan.tiff") && $0.ocr == true }, "\(lease.out)")
        #expect(harness.stop() == 0)
    }

    /// A daemon stopped while OCR is under way reads after its next start only the scans it had not
    /// read: counted by the OCR of the second run, and by the finished documents' unchanged dates.
    @Test(.enabled(if: OCRTests.dataDirectory != nil, OCRTests.skipReason))
    func aRestartDuringOCRReadsOnlyTheScansNotReadYet() throws {
        let harness = try DaemonHarness(config: "[index]\ndebounce_ms = 100\n[ocr]\nmax_pages = 2\npage_timeout = 120\n")
        let folder = try harness.makeFolder("home", files: ["notes.md": "# Notes\n\nThe boiler was serviced in May.\n"])
        let scans = [
            ("letter-scan.pdf", "a-letter.pdf"), ("lease-scan.png", "b-lease.png"), ("lease-scan.pdf", "c-lease.pdf"),
            ("many-pages-scan.pdf", "d-archive.pdf"), ("lease-scan.tiff", "e-lease.tiff"), ("letter-scan.pdf", "f-letter.pdf"),
        ]
        for (fixture, name) in scans {
            try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent(fixture), to: folder.appendingPathComponent(name))
        }
        try harness.start()
        #expect(try harness.cli(["sources", "add", folder.path]).status == 0)
        #expect(try harness.cli(["index", "--no-wait-for-ocr"]).status == 0)
        // Stopped as soon as OCR has read one document, with more waiting.
        var first: StatusResponse?
        let deadline = Date().addingTimeInterval(600)
        while Date() < deadline, first == nil {
            if let status = try? harness.client.status(), let ocr = status.indexing.ocr, ocr.documentsDone >= 1 { first = status }
            usleep(20_000)
        }
        let stopped = try #require(first?.indexing.ocr, "OCR read no document in 10 minutes")
        try #require(stopped.documentsToDo >= 1, "OCR read every scan before the daemon could be stopped: \(stopped)")
        let before = try harness.client.documents().documents
        let finished = before.filter { $0.status != .skipped && !$0.path.hasSuffix("notes.md") }
        #expect(finished.count >= stopped.documentsDone, "\(before)")
        #expect(harness.stop(timeout: 300) == 0)

        // Dates cross the wire in whole seconds: a second between the last read and the restart.
        sleep(1)
        let restarted = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        try harness.start()
        try harness.waitUntilIdle(timeout: 600)
        let after = try harness.client.documents().documents
        let status = try harness.client.status()
        let resumed = try #require(status.indexing.ocr)
        // What was read before the stop keeps its record; OCR after the restart read the others only.
        for document in finished {
            let now = after.first(where: { $0.path == document.path })
            #expect(now?.indexedAt == document.indexedAt, "\(document.path) was read again")
        }
        let readAgain = after.filter { $0.indexedAt >= restarted }
        #expect(!readAgain.isEmpty && readAgain.count <= scans.count - finished.count, "\(after)")
        #expect(resumed.documentsDone == readAgain.count, "\(resumed); read after the restart: \(readAgain.map(\.path))")
        #expect(resumed.documentsToDo == 0)
        #expect(!after.contains { $0.reason?.contains("waiting for OCR") == true }, "\(after)")
        let letter = try harness.cli(["search", "follow-up appointment Dr Nowak", "--json"])
        let hits = try WireJSON.makeDecoder().decode(SearchResponse.self, from: Data(letter.out.utf8)).hits
        #expect(Set(hits.map(\.path).filter { $0.hasSuffix("letter.pdf") }).count == 2, "\(letter.out)")
        #expect(harness.stop() == 0)
    }

    /// A page slower than `[ocr] page_timeout` (1 s; the fixture's dense 2×2 A4 sheet takes tens of
    /// seconds) is a problem with its page number; the document's other page, the other documents and
    /// the daemon go on.
    @Test(.enabled(if: OCRTests.dataDirectory != nil, OCRTests.skipReason))
    func aPagePastThePageTimeLimitIsAProblemAndTheRestGoesOn() throws {
        let harness = try DaemonHarness(config: "[index]\ndebounce_ms = 100\nextract_timeout = 600\n[ocr]\npage_timeout = 1\n")
        let folder = try harness.makeFolder("home", files: ["notes.md": "# Notes\n\nThe boiler was serviced in May.\n"])
        try FileManager.default.copyItem(
            at: Self.fixtures.appendingPathComponent("slow-page-scan.pdf"), to: folder.appendingPathComponent("house-scan.pdf"))
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("lease.pdf"), to: folder.appendingPathComponent("lease.pdf"))
        try harness.start()
        #expect(try harness.cli(["sources", "add", folder.path]).status == 0)
        #expect(try harness.cli(["index"]).status == 0)

        let documents = try harness.client.documents().documents
        let scan = try #require(documents.first { $0.path.hasSuffix("house-scan.pdf") }, "\(documents)")
        #expect(scan.status == .indexed, "\(scan)")
        #expect(scan.problems == ["page 1: OCR stopped after 1 s ([ocr] page_timeout); its text is not indexed"], "\(scan)")
        let listed = try harness.cli(["documents"])
        #expect(listed.out.contains("page 1: OCR stopped after 1 s ([ocr] page_timeout)"), "\(listed.out)")
        let key = try harness.cli(["search", "spare key boiler room drawer", "--json"])
        let hit = try #require(try WireJSON.makeDecoder().decode(SearchResponse.self, from: Data(key.out.utf8)).hits.first, "\(key.out)")
        #expect(hit.path.hasSuffix("house-scan.pdf") && hit.page == 2 && hit.ocr != true)
        for (words, file) in [("boiler serviced May", "notes.md"), ("tenant rent", "lease.pdf")] {
            let found = try harness.cli(["search", words, "--json"])
            #expect(try WireJSON.makeDecoder().decode(SearchResponse.self, from: Data(found.out.utf8)).hits
                .contains { $0.path.hasSuffix(file) }, "\(found.out)")
        }
        let status = try harness.client.status()
        #expect(status.counts.indexed == 3 && status.counts.failed == 0)
        #expect(status.indexing.ocr?.pagesDone == 1 && status.indexing.ocr?.pagesRecognized == 0)
        #expect(harness.stop() == 0)
    }

    /// The demo's question about the scanned letter (Scripts/demo), asked the way the demo asks it:
    /// examples/ added and indexed (OCR included), the encoder and the demo's decoder loaded. The
    /// answer gives the date, and its sources cite the scan as `clinic-letter-scan.pdf p. 1 (OCR)`.
    func askTheDemosLetterQuestion(decoder file: String, name: String) throws {
        let models = EndToEndTests.modelsDirectory
        let harness = try DaemonHarness(config: """
            [index]
            debounce_ms = 100
            [encoder]
            model = "\(models)/all-MiniLM-L6-v2"
            [decoder]
            default = "\(name)"
            [[decoders]]
            name = "\(name)"
            file = "\(file)"
            """)
        try harness.start()
        let examples = DaemonHarness.packageRoot.appendingPathComponent("examples").path
        #expect(try harness.cli(["sources", "add", examples]).status == 0)
        #expect(try harness.cli(["index"]).status == 0)
        try EndToEndTests.waitUntilEmbedded(harness, timeout: 600)
        try EndToEndTests.waitUntilDecoderReady(harness, name, timeout: 600)

        let asked = try harness.cli(["ask", "When is my follow-up appointment with Dr Nowak?"])
        #expect(asked.status == 0, "\(asked.err)")
        #expect(asked.out.contains("12 February 2027"), "\(asked.out)")
        #expect(asked.out.contains("clinic-letter-scan.pdf p. 1 (OCR)"), "\(asked.out)")
        #expect(harness.stop() == 0)
    }

    @Test(
        .enabled(if: OCRTests.dataDirectory != nil, OCRTests.skipReason),
        .enabled(if: EndToEndTests.hasEncoder && TestModels.isInstalled(TestModels.qwen05),
                 "the encoder and qwen2.5-coder-0.5b are not both installed (Scripts/fetch-models encoder qwen2.5-coder-0.5b)"))
    func theDemosLetterQuestionIsAnsweredCitingTheScanAsOCRWithTheSmallDecoder() throws {
        try askTheDemosLetterQuestion(decoder: TestModels.url(TestModels.qwen05).path, name: "qwen2.5-coder-0.5b")
    }

    /// The demo's default decoder.
    @Test(
        .enabled(if: OCRTests.dataDirectory != nil, OCRTests.skipReason),
        .enabled(if: EndToEndTests.hasEncoder && TestModels.isInstalled(TestModels.qwen15),
                 "the encoder and qwen2.5-coder-1.5b are not both installed (Scripts/fetch-models encoder qwen2.5-coder-1.5b)"))
    func theDemosLetterQuestionIsAnsweredCitingTheScanAsOCRWithTheDefaultDecoder() throws {
        try askTheDemosLetterQuestion(decoder: TestModels.url(TestModels.qwen15).path, name: "qwen2.5-coder-1.5b")
    }

    @Test func withOCROffStatusSaysWhyAndImagesAreSkipped() throws {
        let harness = try DaemonHarness(config: "[index]\ndebounce_ms = 100\n[ocr]\nenabled = false\n")
        let folder = try harness.makeFolder("home", files: [:])
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Self.fixtures.appendingPathComponent("lease-scan.png"), to: folder.appendingPathComponent("scan.png"))
        try harness.start()
        #expect(try harness.cli(["sources", "add", folder.path]).status == 0)
        #expect(try harness.cli(["index"]).status == 0)
        let status = try harness.cli(["status"])
        #expect(status.out.contains("ocr        off: [ocr] enabled = false"), "\(status.out)")
        let skipped = try harness.cli(["documents", "--skipped"])
        #expect(skipped.out.contains("images are read only by OCR, which is off"), "\(skipped.out)")
        #expect(harness.stop() == 0)
    }
}
