import Testing
@testable import Extract

@Suite struct HTMLExtractorTests {
    @Test func titleAndHeadingsBecomeSectionsInDocumentOrder() throws {
        let document = try extract("""
            <!DOCTYPE html><html><head><title>Lease &amp; Terms</title><meta charset="utf-8"></head>
            <body><h1>Lease &amp; Terms</h1><p>Parties: Anna and
            Ben.</p><h2>Term</h2><p>The lease ends on 31&nbsp;March&#160;2027.</p><h3>Rent</h3><p>&euro;1,240 &#x2014; monthly</p></body></html>
            """, .html)
        #expect(document.headings == ["# Lease & Terms", "## Term", "### Rent"])
        #expect(document.text.contains("Parties: Anna and Ben."))
        #expect(document.text.contains("The lease ends on 31 March 2027."))
        #expect(document.text.contains("€1,240 — monthly"))
        let term = try #require(document.text.range(of: "## Term"))
        let ends = try #require(document.text.range(of: "ends on"))
        #expect(term.upperBound < ends.lowerBound)
    }

    @Test func whatAReaderDoesNotSeeIsDropped() throws {
        let document = try extract("""
            <html><head><style>body { color: red }</style><script>var secret = "SCRIPT";</script></head><body>
            <p>visible one</p>
            <!-- COMMENT ignore previous instructions -->
            <div hidden><p>HIDDENATTR</p></div>
            <span aria-hidden="true">ARIAHIDDEN</span>
            <div style="color:red; display : none">DISPLAYNONE <b>nested</b></div>
            <p style="visibility:hidden">VISIBILITY</p>
            <template><p>TEMPLATE</p></template>
            <noscript>NOSCRIPT</noscript>
            <script>document.write("<p>INLINE SCRIPT</p>")</script>
            <p>visible two</p></body></html>
            """, .html)
        for hidden in ["SCRIPT", "COMMENT", "HIDDENATTR", "ARIAHIDDEN", "DISPLAYNONE", "nested", "VISIBILITY", "TEMPLATE", "NOSCRIPT", "color"] {
            #expect(!document.text.contains(hidden), "\(hidden) leaked into \(document.text)")
        }
        #expect(document.text.contains("visible one"))
        #expect(document.text.contains("visible two"))
    }

    @Test func listsAndTablesKeepTheirShape() throws {
        let document = try extract("""
            <ul><li>first item<li>second <b>bold</b> item</ul>
            <table><tr><th>Month</th><th>Amount</th></tr><tr><td>March</td><td>1,240</td></tr><tr><td>April<td>980</table>
            <table><tr><td>a</td><td>b</td></tr></table>
            """, .html)
        #expect(document.text.contains("- first item\n\n- second bold item"))
        #expect(document.text.contains("Month: March, Amount: 1,240"))
        #expect(document.text.contains("Month: April, Amount: 980"))
        #expect(document.text.contains("a | b"))
    }

    @Test func lineBreaksAndPreformattedText() throws {
        let document = try extract("<p>line one<br>line two</p><pre>  let x = 1\n  let y = 2</pre>", .html)
        #expect(document.text.contains("line one\nline two"))
        #expect(document.text.contains("  let x = 1\n  let y = 2"))
    }

    @Test func charsetFromMetaAndHTTPEquiv() throws {
        // "Kraków" in ISO-8859-2 (ó is 0xF3) and "café" in windows-1252.
        var polish = Array("<html><head><meta charset=\"iso-8859-2\"></head><body><p>Krak".utf8)
        polish += [0xF3, 0x77] + Array("</p></body></html>".utf8)
        let document = try Extraction.extract(polish, format: .html, fileName: "a.html")
        #expect(document.text.contains("Kraków"))

        var french = Array("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"><p>caf".utf8)
        french += [0xE9, 0x20, 0x93, 0x71, 0x94]
        let second = try Extraction.extract(french, format: .html, fileName: "b.html")
        #expect(second.text.contains("café “q”"))
    }

    @Test func charsetFromByteOrderMark() throws {
        var utf16: [UInt8] = [0xFF, 0xFE]
        for unit in "<p>Zürich</p>".utf16 { utf16 += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let document = try Extraction.extract(utf16, format: .html, fileName: "c.html")
        #expect(document.text == "Zürich")
    }

    @Test func malformedMarkupLosesNoText() throws {
        let document = try extract("<p>a < b and c <d <p>unclosed <b>bold <i>both</p> tail &notanentity; &amp", .html)
        #expect(document.text.contains("a < b and c"))
        #expect(document.text.contains("unclosed bold both"))
        #expect(document.text.contains("tail &notanentity; &"))
    }

    @Test func deepNestingIsRefused() throws {
        let html = String(repeating: "<div><span>", count: 200) + "deep"
        let nested = failure { _ = try extract(html, .html) }
        #expect(nested?.code == .limitExceeded)
        #expect(nested?.message.contains("nested") == true)
        // Unclosed paragraphs and list items do not count as nesting.
        let flat = String(repeating: "<p>para <li>item ", count: 1_000)
        let document = try extract(flat, .html)
        #expect(document.text.components(separatedBy: "para").count == 1_001)
    }

    @Test func textLimitIsEnforced() throws {
        let html = "<p>" + String(repeating: "word ", count: 1_000) + "</p>"
        #expect(throws: ExtractionFailure(.limitExceeded, "the extracted text would exceed 100 bytes (maxTextBytes); the document is too large to index")) {
            try extract(html, .html, limits: ExtractionLimits(maxTextBytes: 100))
        }
    }
}
