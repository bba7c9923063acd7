import Foundation
import GGUF
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
        ("qwen2.5-coder-0.5b", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"),
        ("qwen2.5-coder-1.5b", "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"),
        ("smollm2-135m", "smollm2-135m-instruct-q4_1.gguf"),
    ]

    static var modelsDirectory: URL {
        let environment = ProcessInfo.processInfo.environment
        return environment["SOTTO_MODELS_DIR"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share/sotto/models")
    }

    /// The installed file of `model`, or nil when it is not installed.
    static func installedFile(_ model: String) -> URL? {
        guard let file = models.first(where: { $0.name == model })?.file else {
            return nil
        }
        let url = modelsDirectory.appendingPathComponent(file)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
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
