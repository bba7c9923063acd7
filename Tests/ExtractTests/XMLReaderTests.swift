import Testing
@testable import Extract

@Suite struct XMLReaderTests {
    private func parse(_ xml: String, depth: Int = 256) throws -> XMLNode {
        try XMLReader.parse(Array(xml.utf8), limits: ExtractionLimits(maxNestingDepth: depth), name: "test.xml")
    }

    @Test func elementsAttributesTextAndReferences() throws {
        let root = try parse(#"<?xml version="1.0"?><w:p a="1 &amp; 2"><w:t>x &lt; y &#x2014; &#8217;<![CDATA[<raw>]]></w:t><!-- c --></w:p>"#)
        let paragraph = try #require(root.child("p"))
        #expect(paragraph.attribute("a") == "1 & 2")
        #expect(paragraph.child("t")?.text == "x < y — ’<raw>")
    }

    @Test func entityDeclarationsAreRefused() throws {
        #expect(throws: ExtractionFailure.self) {
            try parse(#"<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><x>&b;</x>"#)
        }
        #expect(throws: ExtractionFailure.self) {
            try parse(#"<!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]><x>&ext;</x>"#)
        }
        // A plain doctype is fine, and an undeclared entity stays as written.
        #expect(try parse("<!DOCTYPE html><x>&nbsp;</x>").child("x")?.text == "&nbsp;")
    }

    @Test func nestingIsBounded() throws {
        let deep = String(repeating: "<a>", count: 300) + String(repeating: "</a>", count: 300)
        #expect(failure { _ = try parse(deep, depth: 100) }?.code == .limitExceeded)
        #expect(try parse(deep, depth: 400).child("a") != nil)
    }

    @Test func malformedMarkupEndsAndKeepsText() throws {
        let root = try parse("<a><b>one</a> two < three <c")
        #expect(root.text.contains("one"))
        #expect(root.text.contains("two < three"))
    }
}
