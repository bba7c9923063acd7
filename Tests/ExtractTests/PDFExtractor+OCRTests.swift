import Testing
@testable import Extract

@Suite struct PDFExtractorOCRTests {
    @Test(.enabled(if: OCRTesting.isAvailable, OCRTesting.skipReason))
    func scannedPagesAreRecognisedWithTheirPageNumbers() throws {
        let document = try OCRTesting.read("lease-scan.pdf", .pdf, engine: OCRTesting.engine())
        #expect(document.pageCount == 3)
        #expect(document.parts.map(\.page) == [1, 2, 3])
        #expect(document.parts.allSatisfy { $0.isOCR })
        #expect(document.part(containing: "ends on 31 March 2027")?.page == 2)
        #expect(document.part(containing: "written notice")?.page == 3)
        #expect(document.extractor.contains("+ ocr (tesseract "))
        #expect(document.problems.isEmpty)
        #expect(document.partsAreWellFormed)
    }

    @Test(.enabled(if: OCRTesting.isAvailable, OCRTesting.skipReason))
    func recognisedPagesLoseTheirFurnitureAndKeepAParagraphOverABreakWhole() throws {
        // page-breaks.pdf scanned: the same header, footer and "Page n of 4" on each of its four pages.
        let document = try OCRTesting.read("page-breaks-scan.pdf", .pdf, engine: OCRTesting.engine())
        #expect(document.parts.map(\.page) == [1, 2, 3, 4])
        #expect(document.parts.allSatisfy { $0.isOCR })
        #expect(document.partsAreWellFormed)
        let blocks = document.text.components(separatedBy: "\n\n")
        // The running header is the title (the scan's metadata title is only its file name, as Pillow
        // wrote it), the footer is kept once, out of the text's flow; no page numbers.
        #expect(document.text.hasPrefix("# Harbor Lights - Building Report 2026\n\nHarbor Lights Tenants' Association\n\n"))
        #expect(document.text.components(separatedBy: "Building Report 2026").count == 2)
        #expect(document.text.components(separatedBy: "Tenants' Association").count == 2)
        #expect(!document.text.contains("Page "))
        #expect(!document.text.contains("1 of 4"))
        #expect(document.text.contains("\n\nAll other repairs"))  // a speck read as "~" before it is gone
        // "… was replaced in" at the foot of page 1 goes on with "May 2026 …" on page 2: one block.
        #expect(blocks.contains { $0.contains("was replaced in\nMay 2026 at a cost") })
        #expect(document.part(containing: "was replaced in")?.page == 1)
        #expect(document.part(containing: "May 2026 at a cost")?.page == 2)
        // "agree-" / "ment" over the break from page 2 to page 3: one word.
        #expect(document.text.contains("tenants signed an agreement to share the cost"))
        #expect(document.part(containing: "ment to share the cost")?.page == 3)
    }

    @Test(.enabled(if: OCRTesting.isAvailable, OCRTesting.skipReason))
    func theScannedLetterIsRead() throws {
        let document = try OCRTesting.read("letter-scan.pdf", .pdf, engine: OCRTesting.engine())
        #expect(document.part(containing: "12 February 2027")?.page == 1)
        #expect(document.text.contains("Dr Maria Nowak"))
    }

    @Test(.enabled(if: OCRTesting.isAvailable, OCRTesting.skipReason))
    func aTextLayerIsNotRecognisedAgain() throws {
        let document = try OCRTesting.read("lease.pdf", .pdf, engine: OCRTesting.engine())
        #expect(document.parts.map(\.page) == [1, 2, 3])
        #expect(document.parts.allSatisfy { !$0.isOCR })
        #expect(!document.extractor.contains("tesseract"))
    }

    @Test(.enabled(if: OCRTesting.isAvailable, OCRTesting.skipReason))
    func aTwoThousandPageScanStopsAtThePageLimit() throws {
        let document = try OCRTesting.read("many-pages-scan.pdf", .pdf, engine: OCRTesting.engine(maxPages: 2))
        #expect(document.pageCount == 2000)
        #expect(document.parts.map(\.page) == [1, 2])
        #expect(document.parts.allSatisfy { $0.isOCR })
        #expect(document.problems == [
            "1998 more pages without a text layer (from page 3) were not recognised: [ocr] max_pages is 2",
        ])
    }

    @Test func withoutOCRAScanSaysOCRIsOff() throws {
        let failure = ExtractTests.failure {
            _ = try Extraction.extract(Fixtures.bytes("lease-scan.pdf"), format: .pdf, fileName: "lease-scan.pdf")
        }
        #expect(failure?.code == .noText)
        #expect(failure?.message.contains("OCR is off") == true)
    }

    @Test func aPageNeedsOCRWhenItsTextLayerIsNearlyEmpty() {
        #expect(PDFExtractor.needsOCR("", minimum: 32))
        #expect(PDFExtractor.needsOCR("  Page 3 of 12 \n", minimum: 32))
        #expect(!PDFExtractor.needsOCR(String(repeating: "lease ", count: 10), minimum: 32))
    }
}
