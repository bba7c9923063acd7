import Testing
@testable import Extract

@Suite struct OCRPageTextTests {
    @Test(arguments: [
        ("tenants signed an agree- ,", "tenants signed an agree-"),
        ("~ All other repairs", "All other repairs"),
        ("Page 1 of 4 .", "Page 1 of 4"),
        ("the 2015 off-season. ° '", "the 2015 off-season."),
        ("- keys to the cellar", "- keys to the cellar"),  // a list's marker stays
        ("He said \" yes \"", "He said \" yes"),  // only the lone mark at an end goes
        (".", "."),  // a line that is only a mark is left as it is
    ])
    func aLoneSpeckMarkAtALinesEndIsDropped(line: String, kept: String) {
        #expect(OCRPageText.withoutSpecks(line) == kept)
    }

    @Test func paragraphsJoinAHyphenHiddenByASpeck() {
        let page = OCRPageText(text: "they signed an agree- .\nment to share\n\n© Next one", meanConfidence: 90, wordCount: 8, timedOut: false)
        #expect(page.paragraphs == ["they signed an agreement to share", "Next one"])
    }
}
