import Foundation
import Tokenizer

/// The BPE vocabulary of an installed GGUF decoder, read by a minimal metadata reader (only the
/// header's key–value section; tensors are never touched) so these tests need no GGUF module.
struct BpeModelVocabulary {
    let tokens: [String]
    let tokenTypes: [Int32]
    let merges: [String]
    let pre: String

    struct ReadError: Error, CustomStringConvertible {
        let description: String
    }

    /// The three decoders of MODELS.md, by their installed file names.
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

    func makeTokenizer() throws -> ByteLevelBPETokenizer {
        guard let preTokenizer = ByteLevelBPETokenizer.PreTokenizer(rawValue: pre) else {
            throw ReadError(description: "unknown pre-tokenizer \(pre)")
        }
        return try ByteLevelBPETokenizer(
            tokens: tokens, tokenTypes: tokenTypes, merges: merges, preTokenizer: preTokenizer)
    }

    init(contentsOf url: URL) throws {
        let data = try Data(contentsOf: url, options: .alwaysMapped)
        var reader = Reader(data: data)
        guard try reader.bytes(4) == Array("GGUF".utf8) else {
            throw ReadError(description: "\(url.path) is not a GGUF file")
        }
        _ = try reader.integer(UInt32.self)  // version
        _ = try reader.integer(UInt64.self)  // tensor count
        let keyCount = try reader.integer(UInt64.self)
        var tokens: [String] = []
        var types: [Int32] = []
        var merges: [String] = []
        var pre = "default"
        for _ in 0..<keyCount {
            let key = try reader.string()
            let type = try reader.integer(UInt32.self)
            switch key {
            case "tokenizer.ggml.tokens":
                tokens = try reader.stringArray(type: type)
            case "tokenizer.ggml.merges":
                merges = try reader.stringArray(type: type)
            case "tokenizer.ggml.token_type":
                types = try reader.int32Array(type: type)
            case "tokenizer.ggml.pre":
                guard type == 8 else {
                    throw ReadError(description: "tokenizer.ggml.pre is not a string")
                }
                pre = try reader.string()
            default:
                try reader.skipValue(type: type)
            }
        }
        self.tokens = tokens
        self.tokenTypes = types
        self.merges = merges
        self.pre = pre
    }

    private struct Reader {
        let data: Data
        var offset = 0

        mutating func bytes(_ count: Int) throws -> [UInt8] {
            guard count >= 0, count <= data.count - offset else {
                throw ReadError(description: "GGUF metadata runs past the end of the file")
            }
            defer { offset += count }
            let start = data.startIndex + offset
            return Array(data[start..<start + count])
        }

        mutating func skip(_ count: Int) throws {
            guard count >= 0, count <= data.count - offset else {
                throw ReadError(description: "GGUF metadata runs past the end of the file")
            }
            offset += count
        }

        mutating func integer<T: FixedWidthInteger>(_: T.Type) throws -> T {
            let size = MemoryLayout<T>.size
            guard size <= data.count - offset else {
                throw ReadError(description: "GGUF metadata runs past the end of the file")
            }
            defer { offset += size }
            return T(littleEndian: data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) })
        }

        mutating func string() throws -> String {
            let length = try integer(UInt64.self)
            guard length <= UInt64(data.count - offset) else {
                throw ReadError(description: "GGUF string length \(length) runs past the end of the file")
            }
            defer { offset += Int(length) }
            return data.withUnsafeBytes { raw in
                String(decoding: raw[offset..<offset + Int(length)], as: UTF8.self)
            }
        }

        mutating func arrayHeader(type: UInt32, element: UInt32) throws -> Int {
            guard type == 9, try integer(UInt32.self) == element else {
                throw ReadError(description: "unexpected GGUF array type")
            }
            let count = try integer(UInt64.self)
            guard count < UInt64(data.count) else {
                throw ReadError(description: "GGUF array count \(count) is too large")
            }
            return Int(count)
        }

        mutating func stringArray(type: UInt32) throws -> [String] {
            let count = try arrayHeader(type: type, element: 8)
            var result: [String] = []
            result.reserveCapacity(count)
            for _ in 0..<count {
                result.append(try string())
            }
            return result
        }

        mutating func int32Array(type: UInt32) throws -> [Int32] {
            let count = try arrayHeader(type: type, element: 5)
            var result: [Int32] = []
            result.reserveCapacity(count)
            for _ in 0..<count {
                result.append(Int32(bitPattern: try integer(UInt32.self)))
            }
            return result
        }

        mutating func skipValue(type: UInt32) throws {
            switch type {
            case 0, 1, 7: try skip(1)
            case 2, 3: try skip(2)
            case 4, 5, 6: try skip(4)
            case 10, 11, 12: try skip(8)
            case 8: _ = try string()
            case 9:
                let element = try integer(UInt32.self)
                let count = try integer(UInt64.self)
                guard count < UInt64(data.count) else {
                    throw ReadError(description: "GGUF array count \(count) is too large")
                }
                for _ in 0..<count {
                    try skipValue(type: element)
                }
            default:
                throw ReadError(description: "unknown GGUF value type \(type)")
            }
        }
    }
}
