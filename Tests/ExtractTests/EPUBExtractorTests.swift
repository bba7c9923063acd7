import Testing
@testable import Extract

@Suite struct EPUBExtractorTests {
    @Test func chaptersInSpineOrderLabelledWithTheirTitles() throws {
        let document = try Extraction.extract(Fixtures.bytes("lease.epub"), format: .epub, fileName: "lease.epub")
        #expect(document.parts.map(\.label) == ["Parties", "Term", "Notice"])
        #expect(document.headings == ["# Residential Lease", "# Parties", "# Term", "# Notice"])
        #expect(document.part(containing: "31 March 2027")?.label == "Term")
        #expect(document.partsAreWellFormed)
    }
}
