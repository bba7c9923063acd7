import Testing
@testable import Extract

@Suite struct PDFExtractorTests {
    private func read(_ name: String, limits: ExtractionLimits = ExtractionLimits()) throws -> ExtractedDocument {
        try Extraction.extract(Fixtures.bytes(name), format: .pdf, fileName: name, limits: limits)
    }

    private func failure(_ name: String, limits: ExtractionLimits = ExtractionLimits()) -> ExtractionFailure? {
        ExtractTests.failure { _ = try read(name, limits: limits) }
    }

    @Test func pagesArePartsAndTheTermIsOnPageTwo() throws {
        let document = try read("lease.pdf")
        #expect(document.pageCount == 3)
        #expect(document.parts.map(\.page) == [1, 2, 3])
        #expect(document.partsAreWellFormed)
        #expect(document.part(containing: "ends on 31 March 2027")?.page == 2)
        #expect(document.part(containing: "three months' written notice")?.page == 3)
        #expect(document.extractor.hasPrefix("pdf (poppler "))
        #expect(document.problems.isEmpty)
    }

    @Test func runningHeadersAndFootersAreKeptOnce() throws {
        let document = try read("lease.pdf")
        #expect(document.text.components(separatedBy: "12 Garden Row - Residential Lease").count == 2)
        // "Page 1" … "Page 3" footers are page numbers, not text: dropped on every page.
        #expect(!document.text.contains("Page "))
        #expect(document.text(of: document.parts[0]).contains("12 Garden Row - Residential Lease"))
    }

    @Test func linesSetLargerThanTheBodyAreHeadings() throws {
        let document = try read("lease.pdf")
        let lines = document.text.split(separator: "\n").map(String.init)
        // The running header names the lease ("12 Garden Row") where its first heading does not: it
        // heads the document, above the headings the font size finds.
        #expect(lines.filter { $0.hasPrefix("#") } == ["# 12 Garden Row - Residential Lease", "## Residential Lease", "### Term", "### Notice"])
        #expect(document.part(containing: "### Term")?.page == 2)
        #expect(document.text.hasPrefix("# 12 Garden Row - Residential Lease\n\n## Residential Lease\n\nThis lease"))
    }

    @Test func theTitleIsTheMetadataTitleElseTheRunningHeaderUnlessTheFirstHeadingSaysIt() {
        let header = "12 Garden Row - Residential Lease"
        #expect(PDFExtractor.documentTitle(metadata: "untitled", runningHeader: header, firstHeading: "Residential Lease") == header)
        #expect(PDFExtractor.documentTitle(metadata: "Lease for 12 Garden Row", runningHeader: header, firstHeading: nil) == "Lease for 12 Garden Row")
        // The SQuAD PDFs: the metadata title is the first heading; nothing is added.
        #expect(PDFExtractor.documentTitle(metadata: "Super Bowl 50", runningHeader: "SQuAD public half - Super Bowl 50", firstHeading: "SUPER BOWL  50") == nil)
        #expect(PDFExtractor.documentTitle(metadata: nil, runningHeader: nil, firstHeading: "Residential Lease") == nil)
        for placeholder in ["", "  ", "untitled", "Untitled Document", "anonymous", "Microsoft Word - lease.docx", "scan_0042.pdf", "2025"] {
            #expect(PDFExtractor.meaningfulTitle(placeholder) == nil, "\(placeholder)")
        }
        // A scan's metadata title that is only its file name: the running header is the title.
        #expect(PDFExtractor.meaningfulTitle("scan_0042", fileName: "scan_0042.pdf") == nil)
        #expect(PDFExtractor.meaningfulTitle("00-Super_Bowl_50", fileName: "00-Super_Bowl_50.pdf") == nil)
        #expect(PDFExtractor.meaningfulTitle("Residential Lease", fileName: "lease.pdf") == "Residential Lease")
        #expect(PDFExtractor.documentTitle(metadata: "lease-scan", runningHeader: header, firstHeading: nil, fileName: "lease-scan.pdf") == header)
    }

    @Test func theRunningHeaderIsTheTopLineOnMostPagesNeverAPageNumber() {
        let pages = [
            ["Acme Annual Report", "Contents", "", "Page 1 of 4"],
            ["Acme Annual Report", "Revenue grew.", "", "Page 2 of 4"],
            ["Acme Annual Report", "Costs fell.", "", "Page 3 of 4"],
            ["4", "Acme Annual Report", "Outlook.", "Page 4 of 4"],
        ]
        #expect(PDFExtractor.runningHeader(pages, furniture: PageFurniture(pages: pages)) == "Acme Annual Report")
        // Only a footer repeats: no header, no title.
        let footers = ["Alpha", "Beta", "Gamma"].map { ["\($0) begins", "more of \($0)", "the end of \($0)", "Confidential - Acme"] }
        #expect(PDFExtractor.runningHeader(footers, furniture: PageFurniture(pages: footers)) == nil)
    }

    @Test func aParagraphRunningOverAPageBreakIsOneBlockOverTwoPagesWithoutTheFurniture() throws {
        let document = try read("page-breaks.pdf")
        #expect(document.pageCount == 4)
        #expect(document.partsAreWellFormed)
        let blocks = document.text.components(separatedBy: "\n\n")
        // "… was replaced in" at the foot of page 1 goes on with "May 2026 …" on page 2: one block,
        // its first line in page 1's part and the rest in page 2's.
        let boiler = try #require(blocks.first { $0.contains("4,800 EUR") })
        #expect(boiler.hasPrefix("The heating was the largest item of the year."))
        #expect(boiler.contains("was replaced in\nMay 2026 at a cost of 4,800 EUR"))
        #expect(document.part(containing: "was replaced in")?.page == 1)
        #expect(document.part(containing: "May 2026 at a cost")?.page == 2)
        // "agree-" / "ment" over the break from page 2 to page 3: one word.
        #expect(blocks.contains { $0.contains("tenants signed an agreement to share the cost") && $0.hasSuffix("their size.") })
        #expect(document.part(containing: "tenants signed an agree")?.page == 2)
        #expect(document.part(containing: "ment to share the cost")?.page == 3)
        // Page 3 ends its sentence, page 4 begins a paragraph of its own.
        #expect(blocks.contains { $0.hasPrefix("Heating costs rose by 12 percent") })
        // The running header is the title, the footer is kept once (not inside the paragraph it
        // interrupted), page numbers are gone.
        #expect(document.text.components(separatedBy: "Harbor Lights Tenants' Association").count == 2)
        #expect(blocks.contains("Harbor Lights Tenants' Association"))
        #expect(document.text.hasPrefix("# Harbor Lights - Building Report 2026\n\n"))
        #expect(!document.text.contains("Page "))
        // Paragraphs within a page are still told apart by the wider gap above them.
        #expect(blocks.contains { $0.hasPrefix("The roof was inspected in June.") && $0.hasSuffix("every autumn.") })
    }

    @Test(arguments: [
        ("the old boiler was replaced in", "May 2026 at a cost", true),  // ends on a lowercase word
        ("the landlord, the tenants,", "Anna and Ben", true),  // a comma
        ("which the tenants signed", "and kept", true),  // next begins in lowercase
        ("The lease ends on 31 March 2027.", "The rent is due monthly.", false),
        ("He said: \"It ends in March.\"", "Then he left.", false),  // a closing quote after the full stop
        ("Results for Table 3", "Revenue grew", false),  // a capitalised last word, a capitalised start
        ("- keys to the cellar", "Either party may end the lease", false),  // a list item
        ("2. keys to the cellar", "Either party may end the lease", false),
    ])
    func aPageGoesOnWithTheParagraphBeforeItOnlyMidSentence(previous: String, next: String, continues: Bool) {
        #expect(PDFExtractor.continuesParagraph(previous, next) == continues)
    }

    @Test func aWideGapBetweenLinesStartsAParagraph() {
        func style(_ top: Double, size: Double = 10) -> PDFExtractor.LineStyle {
            PDFExtractor.LineStyle(fontSize: size, top: top, bottom: top + size)
        }
        let lines: [(line: String, style: PDFExtractor.LineStyle?)] = [
            ("A Title", style(20, size: 18)),
            ("first line of one", style(50)), ("paragraph goes on", style(62)),
            ("a second paragraph", style(84)), ("that ends here.", style(96)),
            ("", nil), ("after a blank line", style(108)),
        ]
        let blocks = PDFExtractor.blocks(lines, body: 10, levels: [18: 1], gap: 2)
        #expect(blocks == [
            .heading("A Title", level: 1),
            .paragraph("first line of one\nparagraph goes on"),
            .paragraph("a second paragraph\nthat ends here."),
            .paragraph("after a blank line"),
        ])
        // A title wrapped over two lines stays one heading.
        let wrapped = PDFExtractor.blocks([("A Long", style(10, size: 18)), ("Title", style(30, size: 18)), ("Body.", style(60))], body: 10, levels: [18: 1], gap: 2)
        #expect(wrapped == [.heading("A Long Title", level: 1), .paragraph("Body.")])
    }

    @Test func headingSizesAreRareAndLargerThanTheBody() {
        func line(_ text: String, _ size: Double) -> (line: String, style: PDFExtractor.LineStyle?) {
            (text, PDFExtractor.LineStyle(fontSize: size, top: 0, bottom: size))
        }
        let body = String(repeating: "body text ", count: 20)
        let pages = [[line("Title", 20), line("Section", 14), line(body, 10), line(body, 10), line("small print", 8)]]
        #expect(PDFExtractor.bodySize(pages) == 10)
        #expect(PDFExtractor.headingLevels(pages, body: 10) == [20: 1, 14: 2])
        // A document set mostly in one large size has no headings by size.
        #expect(PDFExtractor.headingLevels([[line(body, 14), line(body, 10)]], body: 10) == [:])
    }

    @Test func pageNumbersAreRecognised() {
        for line in ["7", "- 7 -", "Page 7", "page 7 of 12", "7 of 12", "7 / 12", "Seite 3", "Page 1 of 4 ."] {
            #expect(PDFExtractor.isPageNumber(line), "\(line)")
        }
        for line in ["7 dwarfs", "Section 7", "Chapter 7 of 12", "", ". . .", "2024-25 budget"] {
            #expect(!PDFExtractor.isPageNumber(line), "\(line)")
        }
    }

    @Test func hyphenationAtLineEndsIsJoined() throws {
        let document = try read("lease.pdf")
        #expect(document.text.contains("written agreement binds"))
        #expect(PDFExtractor.paragraphs(["the agree-", "ment holds", "", "Anglo-", "Saxon"]) == ["the agreement holds", "Anglo-\nSaxon"])
    }

    @Test func twoColumnsAreReadColumnByColumn() throws {
        let text = try read("two-columns.pdf").text
        let left = try #require(text.range(of: "the first half of the story."))
        let right = try #require(text.range(of: "Right column starts after"))
        #expect(left.upperBound < right.lowerBound)
    }

    @Test func encryptedWithoutPasswordIsReported() throws {
        #expect(failure("encrypted.pdf")?.code == .encrypted)
    }

    @Test func noTextLayerIsReported() throws {
        let failure = failure("scan-no-text.pdf")
        #expect(failure?.code == .noText)
        #expect(failure?.message.contains("OCR") == true)
    }

    @Test func truncatedAndLoopedFilesDoNotCrash() throws {
        // poppler reconstructs what it can of a truncated file; either way the result is data.
        if let failure = failure("truncated.pdf") {
            #expect([.corrupt, .noText].contains(failure.code))
        }
        let looped = try read("reference-loop.pdf")
        #expect(looped.text.contains("Looped page tree"))
    }

    @Test func maxPagesIsALimit() throws {
        #expect(failure("lease.pdf", limits: ExtractionLimits(maxPages: 2))?.code == .limitExceeded)
    }

    @Test func notAPDF() throws {
        #expect(throws: ExtractionFailure.self) { try Extraction.extract(Array("hello".utf8), format: .pdf, fileName: "x.pdf") }
    }

}
