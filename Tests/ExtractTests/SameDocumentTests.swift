import Testing
@testable import Extract

/// The same lease in every format (Scripts/make-document-fixtures): the Term fact is read and cited
/// where a person would find it.
@Suite struct SameDocumentTests {
    enum Place: Sendable {
        case page(Int)
        case label(String)
        case section  // no parts: the fact sits under the `# Term` heading
    }

    @Test(arguments: [
        ("lease.pdf", DocumentFormat.pdf, Place.page(2)),
        ("lease.docx", .docx, .section), ("lease.odt", .odt, .section), ("lease.rtf", .rtf, .section),
        ("lease.html", .html, .section),
        ("lease.pptx", .pptx, .page(2)), ("lease.odp", .odp, .page(2)),
        ("lease.xlsx", .xlsx, .label("Sheet \"Term\"")), ("lease.ods", .ods, .label("Sheet \"Term\"")),
        ("lease.epub", .epub, .label("Term")),
        ("lease-renewal.eml", .eml, .label("\"Lease renewal\"")),
        ("inbox.mbox", .mbox, .label("\"Lease renewal\"")),
    ])
    func theTermEndsOn31March2027(name: String, format: DocumentFormat, place: Place) throws {
        let document = try Extraction.extract(Fixtures.bytes(name), format: format, fileName: name)
        #expect(document.format == format)
        #expect(document.partsAreWellFormed)
        let fact = try #require(document.text.range(of: "31 March 2027"), "\(name): \(document.text)")
        switch place {
        case let .page(page):
            #expect(document.part(containing: "31 March 2027")?.page == page)
        case let .label(label):
            #expect(document.part(containing: "31 March 2027")?.label == label)
        case .section:
            let heading = try #require(document.text[..<fact.lowerBound].split(separator: "\n").last { $0.hasPrefix("#") })
            #expect(heading.hasSuffix(" Term"))
        }
        // Nothing of the markup or the prompt injection hidden in the HTML reaches the text.
        #expect(!document.text.contains("2099"))
        #expect(!document.text.contains("</"))
    }
}
