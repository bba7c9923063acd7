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
        #expect(document.text.components(separatedBy: "Page ").count == 2)
        #expect(document.text(of: document.parts[0]).contains("12 Garden Row - Residential Lease"))
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

    @Test func furnitureNeedsThreePagesAndHalf() {
        let words = ["alpha", "beta", "gamma", "delta"]
        let pages = (0..<4).map { ["Header", "\(words[$0]) starts", "\(words[$0]) ends", "Page \($0 + 1)"] }
        #expect(PDFExtractor.repeatedFurniture(pages) == ["Header", "Page #"])
        #expect(PDFExtractor.repeatedFurniture(Array(pages.prefix(2))).isEmpty)
    }
}
