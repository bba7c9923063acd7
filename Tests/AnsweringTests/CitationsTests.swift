import Testing
@testable import Answering

@Suite struct CitationsTests {
    @Test(arguments: [
        ("The lease ends in 2029 [1].", [1]),
        ("See [2, 3] and [1,2].", [2, 3, 1]),
        ("Both [1][3].", [1, 3]),
        ("Sources [1-3].", [1, 2, 3]),
        ("An array a[i] and [note] and [] are not citations [2].", [2]),
        ("No citations at all.", []),
        ("Unclosed [1", []),
    ])
    func findsCitedNumbers(answer: String, expected: [Int]) {
        #expect(Citations.numbers(in: answer) == expected)
    }

    @Test func mapsCitationsToSourcesAndFlagsTheRest() {
        let sources = (1...2).map { n in
            AnswerSource(
                number: n, path: "/d/\(n).md", documentId: Int64(n), chunkIds: [Int64(n)], text: "t", section: nil,
                byteStart: n * 10, byteEnd: n * 10 + 5, lineStart: n, lineEnd: n + 1, page: n == 2 ? 4 : nil, score: 1)
        }
        let (citations, invalid) = Citations.resolve("It ends [2]; see [7] and [1, 9].", sources: sources)
        #expect(citations.map(\.number) == [2, 1])
        #expect(citations[0].source.byteStart == 20)
        #expect(citations[0].source.page == 4)
        #expect(citations[1].source.page == nil)
        #expect(invalid == [7, 9])
    }
}

@Suite struct CitationMarkerRemovalTests {
    @Test(arguments: [
        ("Ends in 2029 [1].", "Ends in 2029  ."),
        ("See [2, 3] and a[i].", "See   and a[i]."),
        ("Unclosed [1", "Unclosed [1"),
    ])
    func removesOnlyCitationMarkers(text: String, expected: String) {
        #expect(Citations.removingMarkers(from: text) == expected)
    }
}
