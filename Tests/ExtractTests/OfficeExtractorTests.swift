import Testing
@testable import Extract

/// The lease in every Office and OpenDocument format: the Term fact lands in the right place.
@Suite struct OfficeExtractorTests {
    private func read(_ name: String, _ format: DocumentFormat, limits: ExtractionLimits = ExtractionLimits()) throws -> ExtractedDocument {
        try Extraction.extract(Fixtures.bytes(name), format: format, fileName: name, limits: limits)
    }

    @Test func docxHeadingsTablesListsNotesAndTrackedChanges() throws {
        let document = try read("lease.docx", .docx)
        #expect(document.headings == ["# Residential Lease", "# Parties", "# Term", "## Notice", "# Notes"])
        // Tracked changes accepted: the inserted 2027, not the deleted 2026.
        #expect(document.text.contains("ends on 31 March 2027."))
        #expect(!document.text.contains("2026"))
        #expect(document.text.contains("- keys to the flat"))
        #expect(document.text.contains("Month: March, Amount: 1,240"))
        #expect(document.text.contains("Kraków.[1]"))
        #expect(document.text.contains("[1] The flat includes a cellar storage room."))
        let term = try #require(document.text.range(of: "# Term"))
        let ends = try #require(document.text.range(of: "31 March 2027"))
        #expect(term.upperBound < ends.lowerBound)
    }

    @Test func odtHeadingsListsTablesNotesAndTrackedChanges() throws {
        let document = try read("lease.odt", .odt)
        #expect(document.headings == ["# Residential Lease", "## Parties", "## Term", "# Notes"])
        #expect(document.text.contains("ends on 31 March 2027."))
        #expect(!document.text.contains("2026"))
        #expect(document.text.contains("- keys to the cellar"))
        #expect(document.text.contains("March | 1,240"))
        #expect(document.text.contains("[1] The flat includes a cellar storage room."))
    }

    @Test(arguments: [("lease.pptx", DocumentFormat.pptx), ("lease.odp", DocumentFormat.odp)])
    func slidesArePartsWithTitlesAndNotes(name: String, format: DocumentFormat) throws {
        let document = try read(name, format)
        #expect(document.pageCount == 3)
        #expect(document.parts.map(\.page) == [1, 2, 3])
        #expect(document.partsAreWellFormed)
        let term = try #require(document.part(containing: "31 March 2027"))
        #expect(term.page == 2)
        let slide = document.text(of: term)
        #expect(slide.hasPrefix("## Term\n\n"))
        #expect(slide.contains("Notes: Remind Ben that the lease ends in March 2027."))
        #expect(document.part(containing: "1,240 EUR")?.page == 3)
        #expect(document.text.hasPrefix("## Residential Lease"))
    }

    @Test(arguments: [("lease.xlsx", DocumentFormat.xlsx), ("lease.ods", DocumentFormat.ods)])
    func sheetsArePartsWithHeaderNamedRows(name: String, format: DocumentFormat) throws {
        let document = try read(name, format)
        #expect(document.pageCount == 2)
        #expect(document.parts.map(\.label) == ["Sheet \"Payments\"", "Sheet \"Term\""])
        #expect(document.headings == ["# Payments", "# Term"])
        let term = try #require(document.part(containing: "Item: End, Date: 31 March 2027"))
        #expect(term.label == "Sheet \"Term\"")
        let march = try #require(document.part(containing: "Month: March"))
        #expect(march.label == "Sheet \"Payments\"")
        if format == .xlsx {
            // Numbers as stored, booleans by name.
            #expect(document.text.contains("Month: March, Amount: 1240, Paid: TRUE"))
        } else {
            #expect(document.text.contains("Month: March, Amount: 1,240"))
        }
        #expect(document.text.utf8.count < 1_000)  // the million padding cells stayed padding
    }

    @Test func zipBombIsRefusedWhileInflating() throws {
        let ratio = failure { _ = try read("zip-bomb.docx", .docx) }
        #expect(ratio?.code == .limitExceeded)
        #expect(ratio?.message.contains("maxCompressionRatio") == true)
        // With the ratio allowed, the total bound stops it.
        let total = failure {
            _ = try read("zip-bomb.docx", .docx, limits: ExtractionLimits(maxUncompressedBytes: 4 << 20, maxCompressionRatio: 100_000))
        }
        #expect(total?.code == .limitExceeded)
        #expect(total?.message.contains("maxUncompressedBytes") == true)
    }

    @Test func entityExpansionIsRefused() throws {
        let laughs = failure { _ = try read("billion-laughs.docx", .docx) }
        #expect(laughs?.code == .limitExceeded)
        #expect(laughs?.message.contains("entit") == true)
    }

    @Test func entryCountIsBounded() throws {
        #expect(throws: ExtractionFailure.self) {
            try read("lease.docx", .docx, limits: ExtractionLimits(maxArchiveEntries: 3))
        }
    }

    @Test func notAZipIsCorrupt() throws {
        do {
            _ = try Extraction.extract(Array("not a zip at all".utf8), format: .docx, fileName: "x.docx")
            Issue.record("read garbage")
        } catch {
            #expect(error.code == .corrupt)
        }
    }
}
