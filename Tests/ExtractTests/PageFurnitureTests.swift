import Testing
@testable import Extract

@Suite struct PageFurnitureTests {
    @Test func furnitureNeedsThreePagesAndHalf() {
        let words = ["alpha", "beta", "gamma", "delta"]
        let pages = (0..<4).map { ["Header", "\(words[$0]) starts", "\(words[$0]) ends", "Page \($0 + 1)"] }
        #expect(PageFurniture(pages: pages).keys == ["header", "page#"])
        #expect(PageFurniture(pages: Array(pages.prefix(2))).isEmpty)
        // On one page in four: not furniture.
        let once = pages.enumerated().map { $0.offset == 0 ? $0.element : Array($0.element.dropFirst()) }
        #expect(PageFurniture(pages: once).match("Header") == nil)
    }

    @Test func aHeaderReadALittleDifferentlyOnEachPageIsOneLine() throws {
        // As Tesseract read one header on the scanned pages of one document.
        let headers = ["SQUAD public half - Super Bowl 50", "SQUAD public half - Super Bow! 50.", "SQuAD public half — Super Bowl 50",
                       "SQUAD pubiic half - Super Bowl 50"]
        let words = ["alpha", "beta", "gamma", "delta"]
        let pages = headers.indices.map { [headers[$0], "", "the \(words[$0]) text begins here", "\(words[$0]) ends", "Page \($0 + 1)"] }
        let furniture = PageFurniture(pages: pages)
        #expect(furniture.keys.count == 2)
        let header = try #require(furniture.match(headers[0]))
        #expect(headers.allSatisfy { furniture.match($0) == header })
        #expect(furniture.match("Page 12").map { $0 != header } == true)
        #expect(furniture.match("SQuAD public half - Normans") == nil)
        #expect(furniture.match("the beta text begins here") == nil)
    }

    @Test func keysAreLettersAndDigitRuns() {
        #expect(PageFurniture.key("Page 3 of 12") == "page#of#")
        #expect(PageFurniture.key("  ACME - Report.  ") == "acmereport")
        #expect(PageFurniture.key("- 7 -") == "#")
        #expect(PageFurniture.key("* * *") == "")
    }

    @Test func shortKeysMustBeEqualLongOnesMayDifferByOneInEight() {
        #expect(!PageFurniture.same("header", "heeder"))
        #expect(PageFurniture.same("squadpublichalfsuperbowl#", "squadpublichalfsuperbow#"))
        #expect(!PageFurniture.same("squadpublichalfsuperbowl#", "squadpublichalfnormans"))
    }
}
