import Testing
@testable import Answering

@Suite struct SentenceSplitterTests {
    @Test(arguments: [
        ("The lease ends in 2029. [1] It began in 2024 [2].", ["The lease ends in 2029. [1]", "It began in 2024 [2]."]),
        ("It costs 3.5 euros. Dr. Smith signed it, e.g. on paper. J. Doe did not!", ["It costs 3.5 euros.", "Dr. Smith signed it, e.g. on paper.", "J. Doe did not!"]),
        ("Was it signed? Yes [1][2]. Then it ended.", ["Was it signed?", "Yes [1][2].", "Then it ended."]),
        ("A list:\n- one item\n- another item", ["A list:", "- one item", "- another item"]),
        ("", []),
        ("  No full stop at the end  ", ["No full stop at the end"]),
    ])
    func splitsAnswers(text: String, expected: [String]) {
        #expect(SentenceSplitter.sentences(in: text, lineBreaks: true) == expected)
    }

    @Test func documentsKeepWrappedLinesTogetherButSplitAtBlankLines() {
        let text = "The tenant pays the rent\nby the third working day.\n\nNotice is six months."
        #expect(SentenceSplitter.sentences(in: text, lineBreaks: false) == [
            "The tenant pays the rent\nby the third working day.", "Notice is six months.",
        ])
    }

    @Test func rangesAreUTF8ByteOffsets() {
        let text = "Die Kündigung gilt. Sie endet 2029."
        let ranges = SentenceSplitter.ranges(in: text, lineBreaks: true)
        #expect(ranges.count == 2)
        #expect(ranges.first == 0..<20)  // "ü" takes two bytes
        #expect(ranges.last?.upperBound == text.utf8.count)
    }
}
