import Foundation
import Testing
import Tokenizer

/// The whole pipeline on the hand-written 47-token vocabulary in Fixtures/tiny-tokenizer.json. Every
/// expected id list is what Hugging Face `tokenizers` 0.23.3 gives for the same file.
struct WordPieceTokenizerTests {
    static let cases: [(text: String, ids: [Int32])] = [
        ("Hello, World!", [2, 5, 12, 6, 13, 3]),
        ("unaffable", [2, 7, 8, 9, 3]),
        ("tokenizer", [2, 23, 24, 25, 3]),
        ("Café", [2, 15, 3]),
        ("中文", [2, 16, 17, 3]),
        ("한", [2, 34, 35, 36, 3]),
        ("ΣΣ", [2, 29, 30, 3]),
        ("😀", [2, 44, 3]),
        ("STRASSE Straße", [2, 1, 45, 3]),
        ("a1-2#b", [2, 1, 41, 1, 40, 39, 3]),
        ("hello\u{0}world", [2, 1, 3]),
        ("hello\u{A0}world\u{3000}!", [2, 5, 6, 13, 3]),
        ("ＡＢＣ ａ１", [2, 1, 1, 3]),
        ("[MASK] [mask]", [2, 4, 31, 33, 32, 3]),
        ("", [2, 3]),
        (" \t\n ", [2, 3]),
    ]

    @Test(arguments: cases)
    func encodesLikeTheReference(text: String, ids: [Int32]) throws {
        let tokenizer = try Fixtures.tinyTokenizer()
        #expect(tokenizer.encode(text) == ids)
        #expect(tokenizer.encode(text, addSpecialTokens: false) == Array(ids.dropFirst().dropLast()))
        #expect(tokenizer.tokenCount(text[...]) == ids.count - 2)
    }

    @Test func wordsOfUpToOneHundredScalarsAreSplitLongerOnesAreUnknown() throws {
        let tokenizer = try Fixtures.tinyTokenizer()
        let hundred = tokenizer.encode(String(repeating: "x", count: 100), addSpecialTokens: false)
        #expect(hundred == [26] + Array(repeating: 27, count: 99))
        #expect(tokenizer.encode(String(repeating: "x", count: 101)) == [2, 1, 3])
        // The limit applies to the normalised word: 100 × "x + combining acute" is 200 scalars before
        // accents are stripped and 100 after.
        #expect(tokenizer.encode(String(repeating: "x\u{301}", count: 100), addSpecialTokens: false) == hundred)
        // Format characters such as U+200D are removed before the word is measured.
        #expect(tokenizer.encode(String(repeating: "x\u{200D}", count: 50) + "x", addSpecialTokens: false) == [26] + Array(repeating: 27, count: 50))
    }

    @Test func truncationKeepsTheFirstPiecesThenTheSpecials() throws {
        let tokenizer = try Fixtures.tinyTokenizer()
        let text = "hello world hello"
        #expect(tokenizer.encode(text, maxLength: 4) == [2, 5, 6, 3])
        #expect(tokenizer.encode(text, maxLength: 2) == [2, 3])
        #expect(tokenizer.encode(text, maxLength: 2, addSpecialTokens: false) == [5, 6])
        #expect(tokenizer.encode(text, maxLength: 3, addSpecialTokens: false) == [5, 6, 5])
        #expect(tokenizer.encode(text, maxLength: 100) == [2, 5, 6, 5, 3])
        // Pieces, not words, are counted: the limit may fall inside a word.
        #expect(tokenizer.encode("tokenizer tokenizer", maxLength: 4) == [2, 23, 24, 3])
    }

    @Test func limitsTooSmallForTheSpecialsDoNotTruncateLikeTheReference() throws {
        let tokenizer = try Fixtures.tinyTokenizer()
        #expect(tokenizer.encode("hello world hello", maxLength: 1) == [2, 5, 6, 5, 3])
        #expect(tokenizer.encode("hello world hello", maxLength: 0) == [2, 5, 6, 5, 3])
    }

    @Test func specialTokenTextInTheInputBecomesTheSpecialToken() throws {
        let tokenizer = try Fixtures.tinyTokenizer()
        #expect(tokenizer.encode("hello [SEP] world[CLS]", addSpecialTokens: false) == [5, 3, 6, 2])
    }

    @Test func encodesASliceOfALargerText() throws {
        let tokenizer = try Fixtures.tinyTokenizer()
        let text = "ignored hello world ignored"
        let start = try #require(text.range(of: "hello"))
        let end = try #require(text.range(of: "world"))
        #expect(tokenizer.encode(text[start.lowerBound..<end.upperBound]) == [2, 5, 6, 3])
        #expect(tokenizer.tokenCount(text[start.lowerBound..<end.upperBound]) == 2)
    }

    @Test func exposesTheVocabularyAndSpecialIDs() throws {
        let tokenizer = try Fixtures.tinyTokenizer()
        #expect(tokenizer.vocabularySize == 47)
        #expect([tokenizer.padID, tokenizer.unkID, tokenizer.clsID, tokenizer.sepID] == [0, 1, 2, 3])
        #expect(tokenizer.token(for: 8) == "##aff")
        #expect(tokenizer.token(for: 37) == "한")
        #expect(tokenizer.token(for: 47) == nil)
        #expect(tokenizer.token(for: -1) == nil)
        #expect(tokenizer.truncationMaxLength == 16)
    }
}
