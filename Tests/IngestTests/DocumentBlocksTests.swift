import Testing
@testable import Ingest

struct DocumentBlocksTests {
    func blocks(_ text: String, _ kind: FileKind) -> [(text: String, section: [String], isHeading: Bool)] {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { utf8 in
            DocumentBlocks(utf8: utf8, kind: kind).blocks.map {
                (String(decoding: bytes[$0.start..<$0.end], as: UTF8.self), $0.section, $0.isHeading)
            }
        }
    }

    @Test func atxHeadingsWithClosingHashesAndIndentation() {
        let result = blocks("# One #\n   ## Two\n#NoSpace\n\n### C# ###\n", .markdown)
        #expect(result.map(\.section) == [["One"], ["One", "Two"], ["One", "Two"], ["One", "Two", "C#"]])
        #expect(result.map(\.isHeading) == [true, true, false, true])
        #expect(result[2].text == "#NoSpace")
    }

    @Test func fencesHideHeadingsAndKeepBlankLines() {
        let result = blocks("~~~~\n# x\n\n~~~\n~~~~\nafter\n", .markdown)
        #expect(result.map(\.text) == ["~~~~\n# x\n\n~~~\n~~~~", "after"])
        #expect(result.allSatisfy { $0.section.isEmpty })
    }

    @Test func unclosedFenceRunsToTheEnd() {
        let result = blocks("text\n```\ncode\n\nmore\n\n", .markdown)
        #expect(result.map(\.text) == ["text", "```\ncode\n\nmore"])
    }

    @Test func setextNeedsAOneLineParagraph() {
        let result = blocks("a\nb\n---\n\nTitle\n---\n", .markdown)
        #expect(result.map(\.text) == ["a\nb\n---", "Title\n---"])
        #expect(result.map(\.isHeading) == [false, true])
    }

    @Test func restructuredTextUnderlineMustBeLongEnough() {
        let result = blocks("Long title\n===\n\nShort\n=====\n", .restructuredText)
        #expect(result.map(\.isHeading) == [false, true])
        #expect(result.last?.section == ["Short"])
    }

    @Test func plainTextHasNoHeadings() {
        let result = blocks("# a\n\nb\nc\n", .plainText)
        #expect(result.map(\.text) == ["# a", "b\nc"])
        #expect(result.allSatisfy { !$0.isHeading && $0.section.isEmpty })
    }

    @Test func headingLevelsPopCorrectly() {
        let result = blocks("# A\n### C\n## B\n# D\n", .markdown)
        #expect(result.map(\.section) == [["A"], ["A", "C"], ["A", "B"], ["D"]])
        #expect(Set(DocumentBlocksTests.sectionNumbers("# A\n# A\n")).count == 2)
    }

    static func sectionNumbers(_ text: String) -> [Int] {
        Array(text.utf8).withUnsafeBufferPointer { DocumentBlocks(utf8: $0, kind: .markdown).blocks.map(\.sectionNumber) }
    }
}
