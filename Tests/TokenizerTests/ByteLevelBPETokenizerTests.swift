import Testing
@testable import Tokenizer

/// A hand-made vocabulary: the 256 byte characters (id = byte), then merged tokens and specials.
struct ByteLevelBPETokenizerTests {
    static let merged = ["he", "ll", "hell", "hello", "Ġw", "Ġhello", "ab", "bc", "xyz", "abc"]
    static let specials: [(String, Int32)] = [
        ("<|im_start|>", 3), ("<|im", 3), ("<|im_end|>", 3), ("<tool>", 4), ("[PAD0]", 5), ("<unk>", 2),
    ]
    static let tokens: [String] = ByteLevelAlphabet.scalars.map { String($0) } + merged + specials.map(\.0)
    static let types: [Int32] = [Int32](repeating: 1, count: 256 + merged.count) + specials.map(\.1)

    static func make(
        merges: [String] = ["h e", "l l", "he ll", "hell o", "Ġ w", "Ġ hello", "x y", "xy z"],
        preTokenizer: ByteLevelBPETokenizer.PreTokenizer = .qwen2
    ) throws -> ByteLevelBPETokenizer {
        try ByteLevelBPETokenizer(tokens: tokens, tokenTypes: types, merges: merges, preTokenizer: preTokenizer)
    }

    static func ids(_ tokenizer: ByteLevelBPETokenizer, _ pieces: [String]) -> [Int32] {
        pieces.compactMap { tokenizer.id(of: $0) }
    }

    @Test func mergesByRank() throws {
        let tokenizer = try Self.make()
        #expect(tokenizer.encode("hello") == Self.ids(tokenizer, ["hello"]))
        #expect(tokenizer.encode("hello hello") == Self.ids(tokenizer, ["hello", "Ġhello"]))
        #expect(tokenizer.encode("hell wo") == Self.ids(tokenizer, ["hell", "Ġw", "o"]))
        #expect(tokenizer.encode("lll") == Self.ids(tokenizer, ["ll", "l"]))  // leftmost pair first
    }

    @Test func lowerRankWinsOverPosition() throws {
        let abFirst = try Self.make(merges: ["a b", "b c"])
        let bcFirst = try Self.make(merges: ["b c", "a b"])
        #expect(abFirst.encode("abc") == Self.ids(abFirst, ["ab", "c"]))
        #expect(bcFirst.encode("abc") == Self.ids(bcFirst, ["a", "bc"]))
    }

    @Test func mergesThroughPiecesThatAreNotTokens() throws {
        // "xy" is no token, but the merge "x y" applies and "xy z" then makes the token "xyz";
        // an unfinished "xy" falls back to its characters.
        let tokenizer = try Self.make()
        #expect(tokenizer.encode("xyz") == Self.ids(tokenizer, ["xyz"]))
        #expect(tokenizer.encode("xy") == Self.ids(tokenizer, ["x", "y"]))
    }

    @Test func llamaBPEKeepsWholeWordTokens() throws {
        let llama = try Self.make(preTokenizer: .llamaBPE)
        let qwen = try Self.make(preTokenizer: .qwen2)
        #expect(llama.encode("abc") == Self.ids(llama, ["abc"]))
        #expect(qwen.encode("abc") == Self.ids(qwen, ["a", "b", "c"]))
    }

    @Test func controlTokensAreTextUnlessParsed() throws {
        let tokenizer = try Self.make()
        let start = try #require(tokenizer.id(of: "<|im_start|>"))
        let end = try #require(tokenizer.id(of: "<|im_end|>"))
        let plain = tokenizer.encode("<|im_start|>hello<|im_end|>")
        #expect(!plain.contains(start) && !plain.contains(end))
        #expect(tokenizer.decode(plain) == "<|im_start|>hello<|im_end|>")
        #expect(tokenizer.encode("<|im_start|>hello<|im_end|>", parseSpecial: true)
            == [start] + Self.ids(tokenizer, ["hello"]) + [end])
        // Longest first: "<|im" is a prefix of "<|im_start|>" and must not win.
        #expect(tokenizer.encode("<|im_start|><|im", parseSpecial: true) == [start] + Self.ids(tokenizer, ["<|im"]))
    }

    @Test func userDefinedTokensAreAlwaysMatched() throws {
        let tokenizer = try Self.make()
        let tool = try #require(tokenizer.id(of: "<tool>"))
        #expect(tokenizer.encode("hello<tool>hello") == Self.ids(tokenizer, ["hello"]) + [tool] + Self.ids(tokenizer, ["hello"]))
    }

    @Test func endOfGenerationTextsBecomeControlTokens() throws {
        // As in llama.cpp: "</s>" is control and ends generation even when the file calls it normal.
        let tokens = Self.tokens + ["</s>", "<|file_sep|>"]
        let types = Self.types + [1, 4]
        let tokenizer = try ByteLevelBPETokenizer(tokens: tokens, tokenTypes: types, merges: [], preTokenizer: .qwen2)
        let end = try #require(tokenizer.id(of: "</s>"))
        let fileSeparator = try #require(tokenizer.id(of: "<|file_sep|>"))
        let imEnd = try #require(tokenizer.id(of: "<|im_end|>"))
        #expect(tokenizer.endOfGenerationIDs == [end, fileSeparator, imEnd])
        #expect(tokenizer.isControl(end) && tokenizer.isControl(fileSeparator))
        #expect(tokenizer.encode("a</s>", parseSpecial: true).last == end)
        #expect(!tokenizer.encode("a</s><|file_sep|>").contains(end))
        #expect(!tokenizer.encode("a</s><|file_sep|>").contains(fileSeparator))
    }

    @Test func unknownTokenIsParsedOnlyWithParseSpecial() throws {
        let tokenizer = try Self.make()
        let unknown = try #require(tokenizer.id(of: "<unk>"))
        #expect(!tokenizer.encode("<unk>").contains(unknown))
        #expect(tokenizer.encode("<unk>", parseSpecial: true) == [unknown])
    }

    @Test func tokenBytesDecodeTheAlphabet() throws {
        let tokenizer = try Self.make()
        #expect(tokenizer.tokenBytes(try #require(tokenizer.id(of: "Ġw"))) == Array(" w".utf8))
        #expect(tokenizer.tokenBytes(0x0A) == [0x0A])  // id = byte for the first 256
        #expect(tokenizer.tokenBytes(try #require(tokenizer.id(of: "<|im_end|>"))) == Array("<|im_end|>".utf8))
        #expect(tokenizer.tokenBytes(try #require(tokenizer.id(of: "[PAD0]"))).isEmpty)
        #expect(tokenizer.tokenBytes(-1).isEmpty)
        #expect(tokenizer.tokenBytes(Int32(tokenizer.vocabularySize)).isEmpty)
    }

    @Test func controlClassification() throws {
        let tokenizer = try Self.make()
        #expect(tokenizer.isControl(try #require(tokenizer.id(of: "<|im_end|>"))))
        #expect(tokenizer.isControl(try #require(tokenizer.id(of: "[PAD0]"))))
        #expect(!tokenizer.isControl(try #require(tokenizer.id(of: "<tool>"))))
        #expect(!tokenizer.isControl(try #require(tokenizer.id(of: "hello"))))
        #expect(tokenizer.isControl(-5))
    }

    @Test func roundTripsArbitraryText() throws {
        let tokenizer = try Self.make()
        for text in ["", " ", "hello  world\n\n\t", "naïve café 😀 日本", "<|im_start|> <tool>", "\u{0}\u{7F}"] {
            #expect(tokenizer.decode(tokenizer.encode(text)) == text)
        }
        #expect(tokenizer.encode("").isEmpty)
        #expect(tokenizer.vocabularySize == Self.tokens.count)
    }

    @Test func malformedMergesAreIgnored() throws {
        let tokenizer = try Self.make(merges: ["", "h", "h e", "h e", "nosuch token"])
        #expect(tokenizer.encode("he") == Self.ids(tokenizer, ["he"]))
    }

    @Test func rejectsInconsistentVocabularies() {
        #expect(throws: TokenizerError.self) {
            try ByteLevelBPETokenizer(tokens: [], tokenTypes: [], merges: [], preTokenizer: .gpt2)
        }
        #expect(throws: TokenizerError.invalidVocabulary(reason: "it has 2 tokens but 1 token types")) {
            try ByteLevelBPETokenizer(tokens: ["a", "b"], tokenTypes: [1], merges: [], preTokenizer: .gpt2)
        }
        let error = TokenizerError.invalidVocabulary(reason: "x")
        #expect(error.message.contains("fetch-models"))
    }
}
