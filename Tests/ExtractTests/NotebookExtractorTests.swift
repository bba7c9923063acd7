import Testing
@testable import Extract

@Suite struct NotebookExtractorTests {
    @Test func cellsWithoutTheJSON() throws {
        let document = try Extraction.extract(Fixtures.bytes("lease.ipynb"), format: .ipynb, fileName: "lease.ipynb")
        #expect(document.text == "# Lease analysis\n\nThe lease begins on 1 April 2025 and ends on 31 March 2027.\n\n```\nrent = 1240\nprint(rent)\n```")
        #expect(!document.text.contains("cell_type"))
    }

    @Test func deepNestingIsRefusedBeforeParsing() {
        let deep = "{\"cells\": " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        #expect(failure { _ = try extract(deep, .ipynb) }?.code == .limitExceeded)
        #expect(NotebookExtractor.nestingDepth(Array("{\"a\": \"[[[[\"}".utf8), beyond: 2) == nil)
    }

    @Test func notJSONIsCorrupt() {
        #expect(throws: ExtractionFailure.self) { try extract("{\"cells\": [", .ipynb) }
    }
}
