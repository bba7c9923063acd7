import API
import Foundation

/// `POST /v1/embeddings` (OpenAI's shape): the configured encoder's vectors, the ones dense search
/// compares, for a text or a list of texts. A text longer than the encoder's window is refused, as
/// OpenAI refuses it, rather than silently cut.
extension APIResponder {
    func embeddings(_ wire: OpenAIEmbeddingRequest) async throws -> OpenAIEmbeddingResponse {
        guard let encoder else {
            throw APIError(
                503, .modeUnavailable, "no encoder is loaded (it is turned off or not installed; Scripts/fetch-models installs it)")
        }
        if let model = wire.model, model != encoder.modelName {
            throw APIError(404, .unknownModel, "the embedding model here is \(encoder.modelName), not \(model.debugDescription)", param: "model")
        }
        let texts: [String]
        switch wire.input {
        case .tokens:
            throw APIError(400, .badRequest, "token-id input is not supported (the ids would be another tokenizer's); send the text", param: "input")
        case .texts(let given): texts = given
        }
        guard (1...2048).contains(texts.count) else { throw APIError(400, .badRequest, "input holds 1 to 2048 texts", param: "input") }
        let isBase64: Bool
        switch wire.encodingFormat {
        case nil, "float": isBase64 = false
        case "base64": isBase64 = true
        case let other?:
            throw APIError(400, .badRequest, "encoding_format must be float or base64, not \(other.debugDescription)", param: "encoding_format")
        }
        if let dimensions = wire.dimensions, dimensions != encoder.dimension {
            throw APIError(400, .badRequest, "\(encoder.modelName) gives \(encoder.dimension) dimensions only", param: "dimensions")
        }
        let window = encoder.passages.maxSequenceLength
        var tokens = 0
        for (index, text) in texts.enumerated() {
            guard !text.isEmpty else { throw APIError(400, .badRequest, "input[\(index)] is empty", param: "input") }
            let count = encoder.passageTokenCount(text)
            guard count <= window else {
                throw APIError(
                    400, .contextLengthExceeded,
                    "input[\(index)] is \(count) tokens; \(encoder.modelName) takes at most \(window) (with its 2 special tokens)",
                    param: "input")
            }
            tokens += count
        }
        let vectors = try await encoder.embedTexts(texts)
        return OpenAIEmbeddingResponse(
            data: vectors.enumerated().map { index, vector in
                .init(index: index, embedding: isBase64 ? .base64(of: vector) : .float(vector))
            },
            model: encoder.modelName, usage: .init(promptTokens: tokens))
    }
}
