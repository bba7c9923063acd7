public import Foundation
import Tokenizer

/// The hyperparameters of a BERT encoder, read from a Hugging Face `config.json`.
public struct BertConfiguration: Sendable, Equatable {
    public enum Activation: String, Sendable {
        /// Exact GELU, x·Φ(x) (Hugging Face "gelu").
        case gelu
        /// The tanh approximation ("gelu_new", "gelu_pytorch_tanh").
        case geluTanh
    }

    public var vocabularySize: Int
    public var hiddenSize: Int
    public var layerCount: Int
    public var headCount: Int
    public var intermediateSize: Int
    public var activation: Activation
    public var layerNormEps: Float
    public var maxPositionEmbeddings: Int
    public var typeVocabularySize: Int

    public var headDimension: Int { hiddenSize / headCount }

    public init(
        vocabularySize: Int, hiddenSize: Int, layerCount: Int, headCount: Int, intermediateSize: Int,
        activation: Activation = .gelu, layerNormEps: Float = 1e-12, maxPositionEmbeddings: Int = 512,
        typeVocabularySize: Int = 2
    ) {
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.headCount = headCount
        self.intermediateSize = intermediateSize
        self.activation = activation
        self.layerNormEps = layerNormEps
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.typeVocabularySize = typeVocabularySize
    }

    private struct Raw: Decodable {
        var model_type: String?
        var architectures: [String]?
        var vocab_size: Int
        var hidden_size: Int
        var num_hidden_layers: Int
        var num_attention_heads: Int
        var intermediate_size: Int
        var hidden_act: String?
        var layer_norm_eps: Double?
        var max_position_embeddings: Int?
        var type_vocab_size: Int?
        var position_embedding_type: String?
    }

    /// Reads and checks `config.json`; an unsupported architecture or an inconsistent size is an error naming the file.
    public init(contentsOf url: URL) throws {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else { throw InferenceError.missingFile(path: path) }
        let raw: Raw
        do {
            raw = try JSONDecoder().decode(Raw.self, from: try RegularFile.data(url))
        } catch let error as DecodingError {
            throw InferenceError.malformedFile(path: path, problem: "it is not a BERT config.json (\(error.shortDescription))")
        } catch {
            throw InferenceError.unreadableFile(path: path, reason: error.localizedDescription)
        }
        func unsupported(_ problem: String) -> InferenceError { .unsupportedModel(path: path, problem: problem) }
        let modelType = raw.model_type ?? "bert"
        guard modelType == "bert" else {
            throw unsupported("model_type is \"\(modelType)\", and only \"bert\" encoders are implemented")
        }
        if let kind = raw.position_embedding_type, kind != "absolute" {
            throw unsupported("position_embedding_type is \"\(kind)\", and only \"absolute\" is implemented")
        }
        let activation: Activation
        switch raw.hidden_act ?? "gelu" {
        case "gelu": activation = .gelu
        case "gelu_new", "gelu_pytorch_tanh", "gelu_fast": activation = .geluTanh
        case let other: throw unsupported("hidden_act is \"\(other)\"; only gelu and its tanh approximation are implemented")
        }
        self.init(
            vocabularySize: raw.vocab_size, hiddenSize: raw.hidden_size, layerCount: raw.num_hidden_layers,
            headCount: raw.num_attention_heads, intermediateSize: raw.intermediate_size, activation: activation,
            layerNormEps: Float(raw.layer_norm_eps ?? 1e-12), maxPositionEmbeddings: raw.max_position_embeddings ?? 512,
            typeVocabularySize: raw.type_vocab_size ?? 2)
        let sizes = [vocabularySize, hiddenSize, layerCount, headCount, intermediateSize, maxPositionEmbeddings, typeVocabularySize]
        // Bounds keep every buffer size far from overflow; the largest public BERTs are well inside.
        guard sizes.allSatisfy({ $0 > 0 && $0 <= 1 << 20 }), hiddenSize <= 16_384, layerCount <= 256 else {
            throw InferenceError.malformedFile(path: path, problem: "a size is zero, negative or implausibly large")
        }
        // A zero, negative or non-finite epsilon divides by zero or takes the root of a negative in
        // every LayerNorm: the model loads and then embeds NaN.
        guard layerNormEps.isFinite, layerNormEps > 0, layerNormEps < 1 else {
            throw InferenceError.malformedFile(path: path, problem: "layer_norm_eps \(raw.layer_norm_eps ?? 0) is not a small positive number")
        }
        guard hiddenSize % headCount == 0 else {
            throw InferenceError.malformedFile(path: path, problem: "hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(headCount)")
        }
    }
}

extension DecodingError {
    var shortDescription: String {
        switch self {
        case .keyNotFound(let key, _): "no \"\(key.stringValue)\""
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            ([context.codingPath.map(\.stringValue).joined(separator: ".")] + [context.debugDescription])
                .filter { !$0.isEmpty }.joined(separator: ": ")
        @unknown default: String(describing: self)
        }
    }
}
