public import Foundation
import Tokenizer

/// The sentence-transformers layer on top of the BERT weights: pooling (`1_Pooling/config.json`),
/// the window (`sentence_bert_config.json`), and whether vectors are L2-normalised (a `Normalize`
/// module in `modules.json`).
public struct SentenceEncoderConfiguration: Sendable, Equatable {
    public var pooling: PoolingMode
    /// Tokens per sequence including [CLS] and [SEP]; longer inputs are truncated.
    public var maxSequenceLength: Int
    public var normalizes: Bool

    public init(pooling: PoolingMode, maxSequenceLength: Int, normalizes: Bool) {
        self.pooling = pooling
        self.maxSequenceLength = maxSequenceLength
        self.normalizes = normalizes
    }

    private struct Module: Decodable {
        var path: String?
        var type: String
    }

    private struct PoolingFile: Decodable {
        var pooling_mode_cls_token: Bool?
        var pooling_mode_mean_tokens: Bool?
        var pooling_mode_max_tokens: Bool?
        var pooling_mode_mean_sqrt_len_tokens: Bool?
        var pooling_mode_weightedmean_tokens: Bool?
        var pooling_mode_lasttoken: Bool?
    }

    private struct WindowFile: Decodable {
        var max_seq_length: Int?
    }

    /// Reads the sentence-transformers files in `directory`. Absent files take the defaults of a plain
    /// Hugging Face BERT: mean pooling, the model's position limit, normalised output when `normalizeByDefault`.
    public init(directory: URL, bert: BertConfiguration, normalizeByDefault: Bool = true) throws {
        var poolingDirectory = "1_Pooling"
        var normalizes = normalizeByDefault
        let modulesURL = directory.appendingPathComponent("modules.json")
        if let modules: [Module] = try Self.decodeIfPresent(modulesURL) {
            normalizes = modules.contains { $0.type.hasSuffix(".Normalize") || $0.type == "Normalize" }
            if let pooling = modules.first(where: { $0.type.hasSuffix(".Pooling") }), let path = pooling.path, !path.isEmpty {
                poolingDirectory = path
            }
        }
        var pooling = PoolingMode.mean
        let poolingURL = directory.appendingPathComponent(poolingDirectory).appendingPathComponent("config.json")
        if let file: PoolingFile = try Self.decodeIfPresent(poolingURL) {
            let unsupported = [
                ("max", file.pooling_mode_max_tokens), ("mean_sqrt_len", file.pooling_mode_mean_sqrt_len_tokens),
                ("weightedmean", file.pooling_mode_weightedmean_tokens), ("lasttoken", file.pooling_mode_lasttoken),
            ].filter { $0.1 == true }.map(\.0)
            let cls = file.pooling_mode_cls_token == true, mean = file.pooling_mode_mean_tokens == true
            guard unsupported.isEmpty, cls != mean else {
                throw InferenceError.unsupportedModel(
                    path: poolingURL.path, problem: "exactly one of mean or CLS pooling must be enabled (found \(unsupported + (cls ? ["cls"] : []) + (mean ? ["mean"] : [])))")
            }
            pooling = cls ? .cls : .mean
        }
        var window = Swift.min(512, bert.maxPositionEmbeddings)
        let windowURL = directory.appendingPathComponent("sentence_bert_config.json")
        if let file: WindowFile = try Self.decodeIfPresent(windowURL), let length = file.max_seq_length {
            guard length >= 2, length <= bert.maxPositionEmbeddings else {
                throw InferenceError.malformedFile(
                    path: windowURL.path, problem: "max_seq_length \(length) is outside 2...\(bert.maxPositionEmbeddings) (max_position_embeddings)")
            }
            window = length
        }
        self.init(pooling: pooling, maxSequenceLength: window, normalizes: normalizes)
    }

    private static func decodeIfPresent<T: Decodable>(_ url: URL) throws -> T? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try JSONDecoder().decode(T.self, from: try RegularFile.data(url))
        } catch let error as DecodingError {
            throw InferenceError.malformedFile(path: url.path, problem: "unexpected JSON (\(error.shortDescription))")
        } catch {
            throw InferenceError.unreadableFile(path: url.path, reason: error.localizedDescription)
        }
    }
}
