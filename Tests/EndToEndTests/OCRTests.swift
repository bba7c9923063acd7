import API
import Foundation
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
        #expect(harness.stop() == 0)
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
