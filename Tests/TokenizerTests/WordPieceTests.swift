import Testing
@testable import Tokenizer

struct WordPieceTests {
    static func model(_ vocabulary: [String], maxInputCharacters: Int = 100) -> WordPiece {
        var tokens = TokenTable(expectedCount: vocabulary.count)
        var continuations = TokenTable(expectedCount: vocabulary.count)
        for (id, token) in vocabulary.enumerated() {
            tokens.insert(Array(token.unicodeScalars), id: Int32(id))
            if token.hasPrefix("##") { continuations.insert(Array(token.unicodeScalars.dropFirst(2)), id: Int32(id)) }
        }
        return WordPiece(tokens: tokens, continuations: continuations, unknownID: -1,
                         maxInputCharactersPerWord: maxInputCharacters)
    }

    static func tokenize(_ word: String, with model: WordPiece) -> [Int32] {
        var sink = TokenCollector(limit: .max)
        var pieces: [Int32] = []
        Array(word.unicodeScalars).withUnsafeBufferPointer { model.tokenize(word: $0, pieces: &pieces, into: &sink) }
        return sink.ids
    }

    @Test func takesTheLongestPrefixFirst() {
        let model = Self.model(["un", "una", "##affable", "##ffable", "##able", "##aff"])
        // "una" + "##ffable" wins over "un" + "##affable": greedy, not best overall.
        #expect(Self.tokenize("unaffable", with: model) == [1, 3])
    }

    @Test func continuationPiecesNeedThePrefix() {
        let model = Self.model(["a", "b", "##b"])
        #expect(Self.tokenize("ab", with: model) == [0, 2])
        #expect(Self.tokenize("b", with: model) == [1])
    }

    @Test func aWordThatCannotBeCoveredIsOneUnknownToken() {
        let model = Self.model(["a", "##b"])
        #expect(Self.tokenize("abc", with: model) == [-1])
        #expect(Self.tokenize("ba", with: model) == [-1])
    }

    @Test func wordsLongerThanTheLimitAreUnknown() {
        let model = Self.model(["a", "##a"], maxInputCharacters: 4)
        #expect(Self.tokenize("aaaa", with: model) == [0, 1, 1, 1])
        #expect(Self.tokenize("aaaaa", with: model) == [-1])
    }

    @Test func anEmptyWordGivesNothing() {
        #expect(Self.tokenize("", with: Self.model(["a"])).isEmpty)
    }
}
