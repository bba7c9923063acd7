import Testing
@testable import Tokenizer

struct AddedTokensTests {
    static func token(_ content: String, _ id: Int32, singleWord: Bool = false, stripLeft: Bool = false,
                      stripRight: Bool = false) -> AddedToken {
        AddedToken(content: Array(content.unicodeScalars), id: id, singleWord: singleWord,
                   stripLeft: stripLeft, stripRight: stripRight)
    }

    /// The pieces as text (in brackets for tokens' ids), for readable expectations.
    static func split(_ text: String, _ tokens: [AddedToken]) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var pieces: [String] = []
        AddedTokens(tokens).split(scalars) { piece in
            switch piece {
            case let .text(range):
                var view = String.UnicodeScalarView()
                view.append(contentsOf: scalars[range])
                pieces.append(String(view))
            case let .token(id):
                pieces.append("<\(id)>")
            }
            return true
        }
        return pieces
    }

    @Test func theLeftmostThenLongestMatchWins() {
        let tokens = [Self.token("ab", 1), Self.token("abc", 2), Self.token("bcd", 3)]
        #expect(Self.split("xabcd", tokens) == ["x", "<2>", "d"])
        #expect(Self.split("abab", tokens) == ["<1>", "<1>"])
        #expect(Self.split("xyz", tokens) == ["xyz"])
    }

    @Test func singleWordTokensMatchOnlyWholeWords() {
        let tokens = [Self.token("ab", 1, singleWord: true)]
        #expect(Self.split("ab cab ab", tokens) == ["<1>", " cab ", "<1>"])
        #expect(Self.split("abé", tokens) == ["abé"])
    }

    @Test func strippingTokensSwallowNeighbouringWhitespace() {
        let tokens = [Self.token("[M]", 4, stripLeft: true, stripRight: true)]
        #expect(Self.split("x  [M]\u{3000} y", tokens) == ["x", "<4>", "y"])
        #expect(Self.split("[M][M]", tokens) == ["<4>", "<4>"])
    }

    @Test func emptyTextIsOneEmptyPieceAndEmptyTokensAreIgnored() {
        #expect(Self.split("", [Self.token("a", 1)]) == [""])
        #expect(Self.split("abc", [Self.token("", 1)]) == ["abc"])
        #expect(AddedTokens([Self.token("", 1)]).isEmpty)
    }

    @Test func stopsWhenAskedTo() {
        var count = 0
        AddedTokens([Self.token("a", 1)]).split(Array("xaxaxa".unicodeScalars)) { _ in
            count += 1
            return count < 2
        }
        #expect(count == 2)
    }
}
