import Foundation
import Testing
@testable import Tokenizer

/// Property-based fuzzing of the BPE tokenizer and the streaming detokenizer over seeded random
/// text: mixed scripts, whitespace runs, special-token look-alikes, lossily decoded random bytes and
/// long runs of one character. Bounded to a few seconds; set SOTTO_FUZZ_ITERATIONS for more.
struct BpeFuzzTests {
    static let iterations: Int = {
        let value = ProcessInfo.processInfo.environment["SOTTO_FUZZ_ITERATIONS"].flatMap { Int($0) }
        return max(1, value ?? 500)
    }()

    /// SplitMix64: deterministic, so a failure reproduces from its seed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let fragments: [String] = [
        "the", " quick", "Brown", "fox", "'s", "'LL", "'d", "don't", "I'M", " 12", "3456789", "3.14", "½", "Ⅻ", "٣",
        " ", "  ", "\t", "\n", "\r\n", "\n\n\n", " \u{A0}", "\u{3000}", "\u{2028}", "\u{85}", "\u{0}", "\u{1F}",
        "日本語", "中文字", "한국어", "Ελληνικά", "Русский", "العربية", "हिन्दी", "ไทย", "e\u{301}", "\u{301}",
        "😀", "👋🏽", "👨‍👩‍👧", "🇫🇷", "©", "€", "→", "∑", "\u{FEFF}", "\u{200B}", "\u{E000}", "\u{10FFFF}", "\u{378}",
        "<|im_start|>", "<|im_end|>", "<|endoftext|>", "<tool_call>", "<|im", "|>", "<|", "[PAD151665]",
        "func f() {", "}", "    ", "x += 1;", "#!/bin/sh", "==", "->", "\"", "`", "\\",
    ]

    static func randomText(_ random: inout Generator) -> String {
        switch random.next() % 8 {
        case 0:
            // Random bytes, decoded lossily (U+FFFD where invalid).
            let bytes = (0..<Int(random.next() % 64)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            return String(decoding: bytes, as: UTF8.self)
        case 1:
            // A long run of one fragment (whitespace, digits, letters or emoji).
            let fragment = fragments[Int(random.next() % UInt64(fragments.count))]
            return String(repeating: fragment, count: 1 + Int(random.next() % 1_000))
        case 2:
            // Random scalars from anywhere in Unicode.
            var view = String.UnicodeScalarView()
            for _ in 0..<Int(random.next() % 32) {
                if let scalar = Unicode.Scalar(UInt32(random.next() % 0x11_0000)) {
                    view.append(scalar)
                }
            }
            return String(view)
        default:
            return (0..<Int(random.next() % 24)).map { _ in
                fragments[Int(random.next() % UInt64(fragments.count))]
            }.joined()
        }
    }

    /// Loaded once for both tests: the real vocabularies take a moment to build.
    static let loaded: Result<[(String, ByteLevelBPETokenizer)], any Error> = Result { try makeTokenizers() }

    static func tokenizers() throws -> [(String, ByteLevelBPETokenizer)] {
        try loaded.get()
    }

    static func makeTokenizers() throws -> [(String, ByteLevelBPETokenizer)] {
        var result: [(String, ByteLevelBPETokenizer)] = try ByteLevelBPETokenizer.PreTokenizer.allCases.map {
            ("tiny/\($0.rawValue)", try ByteLevelBPETokenizerTests.make(preTokenizer: $0))
        }
        for model in ["smollm2-135m", "qwen2.5-coder-0.5b"] {
            if let file = BpeModelVocabulary.installedFile(model) {
                result.append((model, try BpeModelVocabulary(contentsOf: file).makeTokenizer()))
            }
        }
        return result
    }

    @Test func encodeDecodeRoundTripsAndStreamsWholeCharacters() throws {
        var executions = 0
        for (name, tokenizer) in try Self.tokenizers() {
            var random = Generator(state: 0x5077_0000 ^ UInt64(name.utf8.count))
            for iteration in 0..<Self.iterations {
                let text = Self.randomText(&random)
                let ids = tokenizer.encode(text)
                #expect(ids.allSatisfy { $0 >= 0 && Int($0) < tokenizer.vocabularySize })
                // A byte without a token in the vocabulary is dropped, as llama.cpp drops it (SmolLM2
                // has no token for 21 bytes, e.g. 0x04 and the lead bytes 0xF1, 0xF2): all others stay.
                let representable = text.utf8.filter {
                    tokenizer.id(of: String(ByteLevelAlphabet.scalars[Int($0)])) != nil
                }
                let decoded = tokenizer.decode(ids)
                guard ids.flatMap({ tokenizer.tokenBytes($0) }) == representable else {
                    Issue.record("\(name) #\(iteration): \(String(reflecting: text)) decodes to \(String(reflecting: decoded))")
                    break
                }
                guard representable.count == text.utf8.count else {
                    executions += 1
                    continue
                }
                #expect(decoded == text)
                // Streaming valid text gives the text back without any replacement character.
                var detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
                let streamed = ids.map { detokenizer.append($0) }.joined() + detokenizer.finish()
                #expect(streamed == text)
                // parseSpecial must never crash and must keep every byte of non-special text.
                _ = tokenizer.encode(text, parseSpecial: true)
                executions += 1
            }
        }
        print("BPE fuzz: \(executions) texts encoded, decoded and streamed, no failures")
    }

    @Test func streamingAnyIdSequenceEqualsLossyDecoding() throws {
        var executions = 0
        for (name, tokenizer) in try Self.tokenizers() {
            var random = Generator(state: 0xDE70_0000 ^ UInt64(name.utf8.count))
            for _ in 0..<Self.iterations {
                let ids = (0..<Int(random.next() % 16)).map { _ in
                    // Mostly real ids, some out of range and negative.
                    Int32(truncatingIfNeeded: Int64(random.next() % UInt64(tokenizer.vocabularySize + 8)) - 4)
                }
                var detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
                var pieces = ids.map { detokenizer.append($0) }
                pieces.append(detokenizer.finish())
                let visible = ids.filter { !tokenizer.isControl($0) }.flatMap { tokenizer.tokenBytes($0) }
                #expect(pieces.joined() == String(decoding: visible, as: UTF8.self))
                executions += 1
            }
        }
        print("Streaming fuzz: \(executions) random id sequences, no failures")
    }
}
