import Testing
@testable import Tokenizer

struct ByteLevelAlphabetTests {
    @Test func mapsEveryByteToADistinctPrintableCharacter() {
        let scalars = ByteLevelAlphabet.scalars
        #expect(scalars.count == 256)
        #expect(Set(scalars).count == 256)
        #expect(scalars[0x20] == "Ġ")  // GPT-2's well-known space
        #expect(scalars[0x0A] == "Ċ")
        #expect(scalars[0x41] == "A")
        #expect(scalars[0xAD] == "Ń")
        for byte in 0..<256 {
            #expect(ByteLevelAlphabet.byte(for: scalars[byte]) == UInt8(byte))
        }
    }

    @Test func encodeAndDecodeAreInverse() {
        let bytes: [UInt8] = Array(0...255)
        #expect(ByteLevelAlphabet.decode(ByteLevelAlphabet.encode(bytes)) == bytes)
        #expect(ByteLevelAlphabet.encode(Array(" hi\n".utf8)) == "ĠhiĊ")
    }

    @Test func charactersOutsideTheAlphabetKeepTheirBytes() {
        #expect(ByteLevelAlphabet.byte(for: " ") == nil)
        #expect(ByteLevelAlphabet.byte(for: "€") == nil)
        #expect(ByteLevelAlphabet.decode("a€") == [0x61, 0xE2, 0x82, 0xAC])
    }
}
