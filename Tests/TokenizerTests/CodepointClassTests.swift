import Testing
@testable import Tokenizer

struct CodepointClassTests {
    @Test func classifiesLettersNumbersAndWhitespace() {
        #expect(CodepointClass.of(0x61) == .letter)  // a
        #expect(CodepointClass.of(0x65E5) == .letter)  // 日
        #expect(CodepointClass.of(0x02B0) == .letter)  // ʰ, modifier letter
        #expect(CodepointClass.of(0x37) == .number)
        #expect(CodepointClass.of(0x2167) == .number)  // Ⅷ, letter number
        #expect(CodepointClass.of(0x00BD) == .number)  // ½, other number
        #expect(CodepointClass.of(0x1D7D8) == .number)  // 𝟘, outside the BMP table
        #expect(CodepointClass.of(0x20000) == .letter)  // CJK extension B
        #expect(CodepointClass.of(0x1F600) == [])  // 😀 is a symbol
        #expect(CodepointClass.of(0x0301) == [])  // combining mark
        #expect(CodepointClass.of(0x2E) == [])
    }

    @Test func charactersNewerThanUnicode15AreUnclassified() {
        // llama.cpp's tables are Unicode 15.1; Swift's know later letters (checked exhaustively
        // against llama.cpp's unicode-data.cpp: identical letter and number sets).
        #expect(CodepointClass.of(0x1C89) == [])  // Cyrillic capital TJE, Unicode 16
        #expect(CodepointClass.of(0x105C0) == [])  // Todhri letter A, Unicode 16
        #expect(CodepointClass.of(0x1C88) == .letter)  // Unicode 9
    }

    @Test func whitespaceIsLlamaCppsList() {
        for value: UInt32 in [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x200A, 0x2028,
                              0x2029, 0x202F, 0x205F, 0x3000] {
            #expect(CodepointClass.of(value).contains(.whitespace), "U+\(String(value, radix: 16))")
        }
        for value: UInt32 in [0x1C, 0x1F, 0x200B, 0xFEFF, 0x180E] {
            #expect(!CodepointClass.of(value).contains(.whitespace), "U+\(String(value, radix: 16))")
        }
    }
}
