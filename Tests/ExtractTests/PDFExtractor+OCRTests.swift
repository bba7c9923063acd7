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
