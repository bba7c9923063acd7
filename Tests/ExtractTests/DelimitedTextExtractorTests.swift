import Testing
@testable import Extract

@Suite struct DelimitedTextExtractorTests {
    @Test func rowsAreLinesWithTheHeaderNames() throws {
        let document = try extract("Month,Amount,Note\r\nFebruary,\"1,100\",\r\nMarch,\"1,240\",\"paid \"\"late\"\"\"\r\n", .csv)
        #expect(document.text == "Month: February, Amount: 1,100\n\nMonth: March, Amount: 1,240, Note: paid \"late\"")
    }

    @Test func quotedLineBreaksStayInTheirField() throws {
        let rows = DelimitedTextExtractor.parse("a,b\n\"multi\nline\",x\n", separator: ",")
        #expect(rows == [["a", "b"], ["multi\nline", "x"]])
        let document = try extract("a,b\n\"multi\nline\",x\n", .csv)
        #expect(document.text == "a: multi line, b: x")
    }

    @Test func tabsAndSemicolons() throws {
        #expect(try extract("Month\tAmount\nMarch\t1240\n", .tsv).text == "Month: March, Amount: 1240")
        #expect(try extract("Monat;Betrag\nMärz;1.240,00\n", .csv).text == "Monat: März, Betrag: 1.240,00")
    }

    @Test func extraColumnsAndUnterminatedQuotes() throws {
        #expect(try extract("a\n1,2\n", .csv).text == "a: 1, Column 2: 2")
        #expect(try extract("a,b\n\"open,2\n", .csv).text == "a: open,2")
    }

    @Test func windows1252WhenNotUTF8() throws {
        let bytes: [UInt8] = Array("City\nMalm".utf8) + [0xF6]
        #expect(try Extraction.extract(bytes, format: .csv, fileName: "x.csv").text == "City: Malmö")
    }
}
