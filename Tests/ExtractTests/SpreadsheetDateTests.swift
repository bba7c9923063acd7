import Testing
@testable import Extract

/// Spreadsheet dates: serial numbers under a date format become ISO 8601, in both date systems.
@Suite struct SpreadsheetDateTests {
    private func read(_ name: String, _ format: DocumentFormat) throws -> ExtractedDocument {
        try Extraction.extract(Fixtures.bytes(name), format: format, fileName: name)
    }

    @Test func xlsxDatesFollowTheirCellsNumberFormats() throws {
        let document = try read("dates.xlsx", .xlsx)
        // Built-in formats 14 (mm-dd-yy), 22 (m/d/yy h:mm), 4 (a number), 21 (h:mm:ss), 46 ([h]:mm:ss), 17 (mmm-yy).
        #expect(document.text.contains(
            "Due: 2025-03-31, Paid at: 2025-03-31 13:30, Amount: 1240.5, Start: 08:15:30, Duration: 36:05:00, Month: 2025-03"),
            "\(document.text)")
        // Custom codes: dd.mm.yyyy; a quoted "T" and hh:mm; a locale and AM/PM; d-mmm-yyyy on the day before
        // Lotus's leap day; "Day "0, whose quoted letters are not date tokens.
        #expect(document.text.contains(
            "Due: 2026-01-15, Paid at: 1900-03-01 06:00, Amount: 7, Start: 23:59, Duration: 1900-02-28, Month: 45"),
            "\(document.text)")
        #expect(!document.text.contains("45747"))
    }

    @Test func xlsxIn1904SystemCountsFrom1904() throws {
        let document = try read("dates-1904.xlsx", .xlsx)
        #expect(document.text.contains("Due: 2025-03-31, Paid at: 2025-03-31 13:30"), "\(document.text)")
        // 1900 is before 1904's day 0: Excel cannot show it, and the number stays.
        #expect(document.text.contains("Paid at: -1400.75"), "\(document.text)")
    }

    @Test func odsDatesAndTimesComeFromTheirValues() throws {
        let document = try read("dates.ods", .ods)
        #expect(document.text.contains("Due: 2025-03-31, Paid at: 2025-03-31 13:30, Start: 08:15:30, Amount: 1,240.50"),
                "\(document.text)")
        #expect(!document.text.contains("03/31/25"))
    }

    @Test(arguments: [
        ("mm-dd-yy", SpreadsheetDate.Display.date), ("yyyy-mm-dd h:mm:ss", .dateTime(seconds: true)),
        ("[$-F800]dddd, mmmm dd, yyyy", .date), ("mmmm yyyy", .month), ("h:mm AM/PM", .time(seconds: false)),
        ("mm:ss.0", .time(seconds: true)), ("[hh]:mm", .elapsed), ("[Red][<0]0.00;0.00", nil), ("General", nil),
        ("0.00E+00", nil), ("#,##0 \"days\"", nil), ("0;[Red]\"due \"yyyy", nil), ("\\d0", nil), ("_)* #,##0_)", nil),
    ] as [(String, SpreadsheetDate.Display?)])
    func formatCodesAreClassifiedByTheirTokens(code: String, display: SpreadsheetDate.Display?) {
        #expect(SpreadsheetDate.display(ofFormatCode: code) == display, "\(code)")
    }

    @Test func serialsOfBothSystems() {
        func date(_ serial: Double, _ system: SpreadsheetDate.System = .excel1900) -> String? {
            SpreadsheetDate.text(serial: serial, display: .date, system: system)
        }
        #expect(date(1) == "1900-01-01")
        #expect(date(59) == "1900-02-28")
        #expect(date(60) == "1900-02-29")  // Lotus's leap day, as Excel shows it
        #expect(date(61) == "1900-03-01")
        #expect(date(45747) == "2025-03-31")
        #expect(date(2_958_465) == "9999-12-31")
        #expect(date(2_958_466) == nil)
        #expect(date(-1) == nil)
        #expect(date(0, .excel1904) == "1904-01-01")
        #expect(date(44285, .excel1904) == "2025-03-31")
        // Rounding to the second may carry into the next day.
        #expect(SpreadsheetDate.text(serial: 45747.999_999_9, display: .dateTime(seconds: true), system: .excel1900)
            == "2025-04-01 00:00:00")
        #expect(SpreadsheetDate.text(serial: 1.5, display: .elapsed, system: .excel1900) == "36:00:00")
    }

    @Test func openDocumentValues() {
        #expect(SpreadsheetDate.text(isoDate: "2025-03-31") == "2025-03-31")
        #expect(SpreadsheetDate.text(isoDate: "2025-03-31T00:00:00") == "2025-03-31")
        #expect(SpreadsheetDate.text(isoDate: "2025-03-31T13:30:05.25") == "2025-03-31 13:30:05")
        #expect(SpreadsheetDate.text(isoDate: "31.03.2025") == nil)
        #expect(SpreadsheetDate.text(isoDuration: "PT08H15M30S") == "08:15:30")
        #expect(SpreadsheetDate.text(isoDuration: "PT36H05M00S") == "36:05")
        #expect(SpreadsheetDate.text(isoDuration: "P1DT2H") == "26:00")
        #expect(SpreadsheetDate.text(isoDuration: "-PT1H") == nil)
        #expect(SpreadsheetDate.text(isoDuration: "PTxH") == nil)
    }
}
