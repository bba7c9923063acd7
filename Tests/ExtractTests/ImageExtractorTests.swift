import Foundation
import Testing
@testable import Extract

@Suite struct ImageExtractorTests {
    @Test(.enabled(if: OCRTesting.isAvailable, OCRTesting.skipReason), arguments: [
        ("lease-scan.png", DocumentFormat.png), ("lease-photo.jpg", .jpeg), ("lease-scan.webp", .webp),
    ])
    func eachImageFormatIsRecognised(fixture: String, format: DocumentFormat) throws {
        let document = try OCRTesting.read(fixture, format, engine: OCRTesting.engine())
        #expect(document.format == format)
        #expect(document.text.contains("ends on 31 March 2027"))
        #expect(document.parts.count == 1)
        #expect(document.parts.allSatisfy { $0.isOCR && $0.page == nil })
        #expect(document.pageCount == nil)
        #expect(document.extractor.hasPrefix("image (tesseract "))
        #expect(document.partsAreWellFormed)
    }

    @Test(.enabled(if: OCRTesting.isAvailable, OCRTesting.skipReason))
    func aMultiPageTIFFIsReadAsPages() throws {
        let document = try OCRTesting.read("lease-scan.tiff", .tiff, engine: OCRTesting.engine())
        #expect(document.pageCount == 3)
        #expect(document.parts.map(\.page) == [1, 2, 3])
        #expect(document.parts.allSatisfy { $0.isOCR })
        #expect(document.part(containing: "ends on 31 March 2027")?.page == 2)
        #expect(document.part(containing: "written notice")?.page == 3)
        #expect(document.problems.isEmpty)
        // Laid out as a scanned PDF: the running header once, "Page n of 3" gone where it was read as such.
        #expect(document.text.components(separatedBy: "Garden Row - Residential Lease").count == 2)
        #expect(!document.text.contains("Page 1 of 3"))
        #expect(!document.text.contains("Page 3 of 3"))
        #expect(document.partsAreWellFormed)
    }

    @Test(.enabled(if: OCRTesting.isAvailable, OCRTesting.skipReason))
    func pagesPastTheLimitAreAProblemNotRead() throws {
        let document = try OCRTesting.read("lease-scan.tiff", .tiff, engine: OCRTesting.engine(maxPages: 1))
        #expect(document.pageCount == 3)
        #expect(document.parts.map(\.page) == [1])
        #expect(document.problems == ["pages 2–3 were not recognised: [ocr] max_pages is 1"])
    }

    @Test(.enabled(if: OCRTesting.isAvailable, OCRTesting.skipReason))
    func aDecompressionBombIsRefusedBeforeItIsDecoded() throws {
        let engine = try OCRTesting.engine()
        let failure = ExtractTests.failure { _ = try OCRTesting.read("image-bomb.png", .png, engine: engine) }
        #expect(failure?.code == .limitExceeded)
        #expect(failure?.message.contains("12000×12000 pixels") == true)
    }

    @Test(.enabled(if: OCRTesting.isAvailable, OCRTesting.skipReason))
    func aCorruptImageIsCorrupt() throws {
        let engine = try OCRTesting.engine()
        #expect(ExtractTests.failure { _ = try OCRTesting.read("corrupt.png", .png, engine: engine) }?.code == .corrupt)
        let garbage = ExtractTests.failure {
            _ = try Extraction.extract(Array("not a picture".utf8), format: .jpeg, fileName: "x.jpg", ocr: engine)
        }
        #expect(garbage?.code == .corrupt)
    }

    @Test(.enabled(if: OCRTesting.isAvailable, OCRTesting.skipReason))
    func pagesTesseractIsUnsureOfAreNotIndexed() throws {
        // No real page reaches a mean confidence of 100: every page is a problem, and so the document.
        let failure = ExtractTests.failure {
            _ = try OCRTesting.read("lease-scan.png", .png, engine: OCRTesting.engine(minConfidence: 100))
        }
        #expect(failure?.code == .noText)
        #expect(failure?.message.contains("is below 100 ([ocr] min_confidence)") == true)
    }

    @Test(.enabled(if: OCRTesting.isAvailable, OCRTesting.skipReason))
    func anAttachedScanIsRecognisedToo() throws {
        let scan = Data(try Fixtures.bytes("lease-scan.png")).base64EncodedString(options: .lineLength76Characters)
        let message = """
            From: Anna <anna@example.com>\r
            To: Ben <ben@example.com>\r
            Subject: Signed page\r
            Date: Mon, 3 Nov 2025 09:00:00 +0100\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="b1"\r
            \r
            --b1\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            The signed page is attached.\r
            --b1\r
            Content-Type: image/png; name="signed.png"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(scan.replacingOccurrences(of: "\n", with: "\r\n"))\r
            --b1--\r
            """
        let document = try Extraction.extract(Array(message.utf8), format: .eml, fileName: "m.eml", ocr: OCRTesting.engine())
        let part = try #require(document.part(containing: "ends on 31 March 2027"))
        #expect(part.isOCR && part.label == "\"Signed page\" › signed.png")
        #expect(document.problems.isEmpty)
    }

    @Test func withoutOCRAnImageIsNotRead() throws {
        let failure = ExtractTests.failure {
            _ = try Extraction.extract(Fixtures.bytes("lease-scan.png"), format: .png, fileName: "lease-scan.png")
        }
        #expect(failure?.code == .unsupported)
        #expect(failure?.message.contains("OCR") == true)
    }

    @Test func imagesAreRecognisedByTheirSignature() throws {
        for (fixture, format) in [("lease-scan.png", DocumentFormat.png), ("lease-photo.jpg", .jpeg), ("lease-scan.tiff", .tiff), ("lease-scan.webp", .webp)] {
            #expect(DocumentFormat.detect(fileName: "scan", prefix: try Fixtures.bytes(fixture)) == format)
            #expect(format.isImage && format.mayNeedOCR)
        }
        #expect(DocumentFormat.detect(fileName: "Scan.JPEG", prefix: []) == .jpeg)
        #expect(!DocumentFormat.docx.mayNeedOCR && DocumentFormat.pdf.mayNeedOCR && !DocumentFormat.pdf.isImage)
    }
}
