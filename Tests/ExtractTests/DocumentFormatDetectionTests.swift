import Testing
@testable import Extract

@Suite struct DocumentFormatDetectionTests {
    @Test(arguments: [
        ("lease.pdf", DocumentFormat.pdf), ("lease.docx", .docx), ("lease.odt", .odt), ("lease.pptx", .pptx),
        ("lease.odp", .odp), ("lease.xlsx", .xlsx), ("lease.ods", .ods), ("lease.epub", .epub), ("lease.rtf", .rtf),
        ("inbox.mbox", .mbox), ("lease-renewal.eml", .eml),
    ])
    func fixturesAreRecognisedByNameAndByBytes(name: String, format: DocumentFormat) throws {
        let bytes = try Fixtures.bytes(name)
        #expect(DocumentFormat.detect(fileName: name, prefix: bytes) == format)
        // Without an extension, the bytes decide (a bare .eml is only known in a Maildir folder).
        let path = format == .eml ? "/home/a/Mail/INBOX/cur/1733.M1P2.host:2,S" : nil
        let sniffed = DocumentFormat.detect(fileName: "1733.M1P2.host:2,S", path: path, prefix: bytes)
        if [.docx, .pptx, .xlsx].contains(format) {
            // OOXML names its parts after [Content_Types].xml; the first 4 KB may not show them.
            #expect(sniffed == nil || sniffed == format)
        } else {
            #expect(sniffed == format)
        }
    }

    @Test func plainTextIsNoDocumentFormat() {
        #expect(DocumentFormat.detect(fileName: "notes.txt", prefix: Array("From here on.\nhello".utf8)) == nil)
        #expect(DocumentFormat.detect(fileName: "notes", path: "/x/cur/notes", prefix: Array("just text".utf8)) == nil)
        #expect(DocumentFormat.detect(fileName: "scan.PDF", prefix: Array("%PDF-1.7".utf8)) == .pdf)
        #expect(DocumentFormat.detect(fileName: "report.docx", prefix: Array("%PDF-1.4".utf8)) == .pdf)
    }
}
