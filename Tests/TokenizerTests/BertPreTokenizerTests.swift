import Testing
@testable import Tokenizer

struct BertPreTokenizerTests {
    static func words(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var iterator = BertPreTokenizer(scalars[...])
        var words: [String] = []
        while let range = iterator.next() {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[range])
            words.append(String(view))
        }
        return words
    }

    @Test func splitsOnWhitespaceAndIsolatesPunctuation() {
        #expect(Self.words("Hello, world! a-b  c") == ["Hello", ",", "world", "!", "a", "-", "b", "c"])
        #expect(Self.words("$100.00") == ["$", "100", ".", "00"])
        #expect(Self.words("«x»—y…") == ["«", "x", "»", "—", "y", "…"])
        #expect(Self.words("a\u{3000}b\u{85}c\u{A0}d") == ["a", "b", "c", "d"])
    }

    @Test func symbolsThatAreNotPunctuationStayInWords() {
        #expect(Self.words("1+1=2") == ["1", "+", "1", "=", "2"])  // ASCII symbols count as punctuation
        #expect(Self.words("x€y 😀z ©") == ["x€y", "😀z", "©"])
    }

    @Test func emptyAndBlankTextHaveNoWords() {
        #expect(Self.words("").isEmpty)
        #expect(Self.words(" \t\n ").isEmpty)
    }
}
