import Foundation
import GGUF
import TestSupport
import Tokenizer

/// The BPE vocabulary of an installed GGUF decoder, read with the GGUF module.
struct BpeModelVocabulary {
    let tokens: [String]
    let tokenTypes: [Int32]
    let merges: [String]
    let pre: String

    struct ReadError: Error, CustomStringConvertible {
        let description: String
    }

    /// The three decoders of Scripts/fetch-models, by their installed file names.
    static let models: [(name: String, file: String)] = [
        ("qwen2.5-coder-0.5b", TestModels.qwen05),
        ("qwen2.5-coder-1.5b", TestModels.qwen15),
        ("smollm2-135m", TestModels.smolLM2),
    ]

    /// The installed file of `model`, or nil when it is not installed.
    static func installedFile(_ model: String) -> URL? {
        models.first { $0.name == model }.flatMap { TestModels.installed($0.file) }
    }

    init(contentsOf url: URL) throws {
        let file = try GGUFFile(contentsOf: url)
        guard let tokens = file.strings("tokenizer.ggml.tokens"),
              let types = file.integers("tokenizer.ggml.token_type"),
              let merges = file.strings("tokenizer.ggml.merges")
        else {
            throw ReadError(description: "\(url.path) has no byte-level BPE vocabulary")
        }
        self.tokens = tokens
        self.tokenTypes = types.map { Int32(clamping: $0) }
        self.merges = merges
        self.pre = file.string("tokenizer.ggml.pre") ?? "default"
    }

    func makeTokenizer() throws -> ByteLevelBPETokenizer {
        guard let preTokenizer = ByteLevelBPETokenizer.PreTokenizer(rawValue: pre) else {
            throw ReadError(description: "unknown pre-tokenizer \(pre)")
        }
        return try ByteLevelBPETokenizer(
            tokens: tokens, tokenTypes: tokenTypes, merges: merges, preTokenizer: preTokenizer)
    }
}
