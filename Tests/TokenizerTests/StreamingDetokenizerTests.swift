import Testing
@testable import Tokenizer

struct StreamingDetokenizerTests {
    /// Byte tokens (id = byte) of the hand-made vocabulary, plus its specials.
    static func tokenizer() throws -> ByteLevelBPETokenizer {
        try ByteLevelBPETokenizerTests.make()
    }

    static func stream(_ ids: [Int32], _ tokenizer: ByteLevelBPETokenizer, includesControl: Bool = false) -> [String] {
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer, includesControlTokens: includesControl)
        return ids.map { detokenizer.append($0) } + [detokenizer.finish()]
    }

    @Test func holdsBackIncompleteCharacters() throws {
        let tokenizer = try Self.tokenizer()
        let emoji = Array("😀".utf8).map(Int32.init)  // four byte tokens
        #expect(Self.stream([0x61] + emoji + [0x62], tokenizer) == ["a", "", "", "", "😀", "b", ""])
    }

    @Test func invalidBytesBecomeReplacementCharacters() throws {
        let tokenizer = try Self.tokenizer()
        // A lone continuation byte cannot improve: emitted at once. A truncated character at the end
        // is flushed by finish().
        #expect(Self.stream([0x80, 0x61], tokenizer) == ["\u{FFFD}", "a", ""])
        #expect(Self.stream([0xE2, 0x82], tokenizer) == ["", "", "\u{FFFD}"])
        // E0 80 can never be valid (overlong): no need to wait.
        #expect(Self.stream([0xE0, 0x80], tokenizer) == ["", "\u{FFFD}\u{FFFD}", ""])
        #expect(Self.stream([0xE2, 0x61], tokenizer) == ["", "\u{FFFD}a", ""])
    }

    @Test func controlTokensAreHiddenUnlessAsked() throws {
        let tokenizer = try Self.tokenizer()
        let end = try #require(tokenizer.id(of: "<|im_end|>"))
        let tool = try #require(tokenizer.id(of: "<tool>"))
        #expect(Self.stream([0x61, end, tool], tokenizer) == ["a", "", "<tool>", ""])
        #expect(Self.stream([0x61, end], tokenizer, includesControl: true) == ["a", "<|im_end|>", ""])
    }

    @Test func completePrefixLength() {
        #expect(StreamingDetokenizer.completePrefixLength([]) == 0)
        #expect(StreamingDetokenizer.completePrefixLength([0x61, 0xF0, 0x9F, 0x98]) == 1)
        #expect(StreamingDetokenizer.completePrefixLength([0xF0, 0x9F, 0x98, 0x80]) == 4)
        #expect(StreamingDetokenizer.completePrefixLength([0xED, 0xA0]) == 2)  // a surrogate: invalid
        #expect(StreamingDetokenizer.completePrefixLength([0xF4, 0x90]) == 2)  // above U+10FFFF
        #expect(StreamingDetokenizer.completePrefixLength([0xC0]) == 1)  // never a lead byte
        #expect(StreamingDetokenizer.completePrefixLength([0x80, 0x80, 0x80]) == 3)
    }
}
