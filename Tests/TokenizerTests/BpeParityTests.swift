import Foundation
import Testing
import Tokenizer

/// Ids identical to llama.cpp's tokenizer on the shared strings (Scripts/make-decoder-goldens writes
/// `bpe-<model>.ids` with parse_special=false and `bpe-<model>-special.jsonl` with parse_special=true).
/// Runs for each installed decoder; the vocabulary is read from the model's own GGUF file.
struct BpeParityTests {
    struct Golden: Decodable {
        let text: String
        let ids: [Int32]?
    }

    static func available(_ model: String) -> Bool {
        BpeModelVocabulary.installedFile(model) != nil
            && FileManager.default.fileExists(atPath: Fixtures.url("bpe-\(model).ids").path)
    }

    static func strings() throws -> [String] {
        try String(contentsOf: Fixtures.url("bpe-strings.jsonl"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: true)
            .map { try JSONDecoder().decode(Golden.self, from: Data($0.utf8)).text }
    }

    static func tokenizer(_ model: String) throws -> ByteLevelBPETokenizer {
        let file = try #require(BpeModelVocabulary.installedFile(model))
        return try BpeModelVocabulary(contentsOf: file).makeTokenizer()
    }

    static func check(_ model: String) throws {
        let tokenizer = try tokenizer(model)
        let strings = try strings()
        let lines = try String(contentsOf: Fixtures.url("bpe-\(model).ids"), encoding: .ascii)
            .split(separator: "\n", omittingEmptySubsequences: false)
        try #require(lines.count >= strings.count)
        var mismatches: [String] = []
        let start = ContinuousClock.now
        for (text, line) in zip(strings, lines) {
            let expected = line.split(separator: " ").compactMap { Int32($0) }
            let actual = tokenizer.encode(text)
            if actual != expected {
                mismatches.append("\(String(reflecting: text)): expected \(expected), got \(actual)")
            }
        }
        let elapsed = ContinuousClock.now - start
        print("\(model): \(strings.count - mismatches.count)/\(strings.count) strings identical to llama.cpp "
            + "(encoded in \(elapsed))")
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(5))")

        let specialURL = Fixtures.url("bpe-\(model)-special.jsonl")
        let specials = try String(contentsOf: specialURL, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: true)
            .map { try JSONDecoder().decode(Golden.self, from: Data($0.utf8)) }
        var specialMismatches: [String] = []
        for golden in specials where tokenizer.encode(golden.text, parseSpecial: true) != golden.ids {
            specialMismatches.append(String(reflecting: golden.text))
        }
        print("\(model): \(specials.count - specialMismatches.count)/\(specials.count) parse_special strings identical")
        #expect(specialMismatches.isEmpty, "parse_special mismatches: \(specialMismatches.prefix(5))")
    }

    @Test(.enabled(if: available("qwen2.5-coder-0.5b"), "needs the installed model and its goldens"))
    func qwen05B() throws {
        try Self.check("qwen2.5-coder-0.5b")
    }

    @Test(.enabled(if: available("qwen2.5-coder-1.5b"), "needs the installed model and its goldens"))
    func qwen15B() throws {
        try Self.check("qwen2.5-coder-1.5b")
    }

    @Test(.enabled(if: available("smollm2-135m"), "needs the installed model and its goldens"))
    func smolLM2() throws {
        try Self.check("smollm2-135m")
    }

    @Test(.enabled(if: BpeModelVocabulary.installedFile("qwen2.5-coder-0.5b") != nil, "needs the installed model"))
    func chatMarkupIsTextInDocuments() throws {
        let tokenizer = try Self.tokenizer("qwen2.5-coder-0.5b")
        let start = try #require(tokenizer.id(of: "<|im_start|>"))
        #expect(start == 151644)
        // llama.cpp's end-of-generation set for Qwen2.5, less the GGUF eos id (151645, also found by text).
        #expect(tokenizer.endOfGenerationIDs == [151643, 151645, 128247, 151662, 151663, 151664])
        #expect(!tokenizer.encode("<|im_start|>system").contains(start))
        #expect(tokenizer.encode("<|im_start|>system", parseSpecial: true).first == start)
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        let text = tokenizer.encode("Grüße 👋🏽 <|im_end|>", parseSpecial: true).map { detokenizer.append($0) }.joined()
        #expect(text + detokenizer.finish() == "Grüße 👋🏽 ")
    }
}
