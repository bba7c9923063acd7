// The wire format of the OpenAI-compatible endpoints (`/v1/chat/completions`, `/v1/embeddings`,
// `/v1/models`), following OpenAI's published schemas with their snake_case names, so that the
// `openai` client libraries and the tools built on them work unchanged. Sotto's own additions sit
// under a `sotto` key, which those clients ignore. Unknown request fields are ignored: clients send many.

import Foundation

// MARK: - Chat completions

/// `POST /v1/chat/completions`.
public struct OpenAIChatRequest: Codable, Sendable, Equatable {
    public var model: String
    public var messages: [OpenAIChatMessage]
    public var stream: Bool?
    public var streamOptions: StreamOptions?
    /// The older name of `max_completion_tokens`; both are accepted.
    public var maxTokens: Int?
    public var maxCompletionTokens: Int?
    /// 0 to 2; Sotto's default is 0 (greedy), not OpenAI's 1, so the same question gives the same answer.
    public var temperature: Double?
    public var topP: Double?
    public var seed: Int64?
    public var stop: OpenAIStop?
    /// Only 1 is supported.
    public var n: Int?

    public struct StreamOptions: Codable, Sendable, Equatable {
        public var includeUsage: Bool?
        public init(includeUsage: Bool? = nil) { self.includeUsage = includeUsage }
        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    public init(
        model: String, messages: [OpenAIChatMessage], stream: Bool? = nil, streamOptions: StreamOptions? = nil,
        maxTokens: Int? = nil, maxCompletionTokens: Int? = nil, temperature: Double? = nil, topP: Double? = nil,
        seed: Int64? = nil, stop: OpenAIStop? = nil, n: Int? = nil
    ) {
        self.model = model
        self.messages = messages
        self.stream = stream
        self.streamOptions = streamOptions
        self.maxTokens = maxTokens
        self.maxCompletionTokens = maxCompletionTokens
        self.temperature = temperature
        self.topP = topP
        self.seed = seed
        self.stop = stop
        self.n = n
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, stream, temperature, seed, stop, n
        case streamOptions = "stream_options"
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
        case topP = "top_p"
    }
}

/// One message of a chat. `content` is a string, or a list of parts of which the text parts count.
public struct OpenAIChatMessage: Codable, Sendable, Equatable {
    /// system, developer (read as system), user or assistant.
    public var role: String
    public var content: String?

    public init(role: String, content: String?) {
        self.role = role
        self.content = content
    }

    enum CodingKeys: String, CodingKey { case role, content }

    struct Part: Codable {
        var type: String
        var text: String?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        role = try container.decode(String.self, forKey: .role)
        if let text = try? container.decodeIfPresent(String.self, forKey: .content) {
            content = text
        } else if let parts = try? container.decodeIfPresent([Part].self, forKey: .content) {
            guard parts.allSatisfy({ $0.type == "text" }) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .content, in: container, debugDescription: "only text content parts are supported")
            }
            content = parts.compactMap(\.text).joined()
        } else if try !container.contains(.content) || container.decodeNil(forKey: .content) {
            content = nil
        } else {
            throw DecodingError.dataCorruptedError(
                forKey: .content, in: container, debugDescription: "content must be a string or a list of text parts")
        }
    }
}

/// `stop`: one string or up to four.
public struct OpenAIStop: Codable, Sendable, Equatable {
    public var strings: [String]
    public init(_ strings: [String]) { self.strings = strings }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            strings = []
        } else if let one = try? container.decode(String.self) {
            strings = [one]
        } else {
            strings = try container.decode([String].self)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(strings)
    }
}

/// A whole chat completion (`stream` false).
public struct OpenAIChatCompletion: Codable, Sendable {
    public var id: String
    public var object = "chat.completion"
    public var created: Int
    public var model: String
    public var choices: [Choice]
    public var usage: OpenAIUsage
    public var systemFingerprint: String?
    /// Sotto's addition: the sources and citations of a grounded answer (model `sotto`).
    public var sotto: OpenAIGrounding?

    public struct Choice: Codable, Sendable {
        public var index: Int
        public var message: OpenAIChatMessage
        /// stop or length.
        public var finishReason: String
        enum CodingKeys: String, CodingKey {
            case index, message
            case finishReason = "finish_reason"
        }
        public init(index: Int, message: OpenAIChatMessage, finishReason: String) {
            self.index = index
            self.message = message
            self.finishReason = finishReason
        }
    }

    public init(
        id: String, created: Int, model: String, choices: [Choice], usage: OpenAIUsage, systemFingerprint: String?,
        sotto: OpenAIGrounding?
    ) {
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
        self.systemFingerprint = systemFingerprint
        self.sotto = sotto
    }

    enum CodingKeys: String, CodingKey {
        case id, object, created, model, choices, usage, sotto
        case systemFingerprint = "system_fingerprint"
    }
}

/// One server-sent event of a streamed chat completion.
public struct OpenAIChatChunk: Codable, Sendable {
    public var id: String
    public var object = "chat.completion.chunk"
    public var created: Int
    public var model: String
    public var choices: [Choice]
    /// Only on the last chunk, when the request asked for it (`stream_options.include_usage`).
    public var usage: OpenAIUsage?
    /// On the last chunk of a grounded answer.
    public var sotto: OpenAIGrounding?

    public struct Choice: Codable, Sendable {
        public var index: Int
        public var delta: Delta
        /// null until the last chunk; then stop or length.
        public var finishReason: String?
        public init(index: Int, delta: Delta, finishReason: String?) {
            self.index = index
            self.delta = delta
            self.finishReason = finishReason
        }
        enum CodingKeys: String, CodingKey {
            case index, delta
            case finishReason = "finish_reason"
        }
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            try container.encode(delta, forKey: .delta)
            // Explicitly null, as OpenAI sends it.
            try container.encode(finishReason, forKey: .finishReason)
        }
    }

    public struct Delta: Codable, Sendable {
        public var role: String?
        public var content: String?
        public init(role: String? = nil, content: String? = nil) {
            self.role = role
            self.content = content
        }
    }

    public init(id: String, created: Int, model: String, choices: [Choice], usage: OpenAIUsage? = nil, sotto: OpenAIGrounding? = nil) {
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
        self.sotto = sotto
    }
}

public struct OpenAIUsage: Codable, Sendable, Equatable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int
    public init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        totalTokens = promptTokens + completionTokens
    }
    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
    }
}

/// What a grounded answer rests on: the same sources and citations `/v1/ask` returns.
public struct OpenAIGrounding: Codable, Sendable {
    public var citations: [AskCitation]
    public var sources: [AskSource]
    /// True when the documents did not hold the answer (the model was not asked).
    public var abstained: Bool
    /// The query retrieval ran.
    public var query: String
    public init(citations: [AskCitation], sources: [AskSource], abstained: Bool, query: String) {
        self.citations = citations
        self.sources = sources
        self.abstained = abstained
        self.query = query
    }
}

// MARK: - Embeddings

/// `POST /v1/embeddings`.
public struct OpenAIEmbeddingRequest: Codable, Sendable, Equatable {
    public var input: Input
    public var model: String?
    /// float (the default) or base64 (little-endian float32, as OpenAI encodes it).
    public var encodingFormat: String?
    /// Only the encoder's own dimension is accepted.
    public var dimensions: Int?

    public enum Input: Codable, Sendable, Equatable {
        case texts([String])
        /// Token ids (one list or a list of lists); refused, as the ids would be another tokenizer's.
        case tokens

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let one = try? container.decode(String.self) {
                self = .texts([one])
            } else if let many = try? container.decode([String].self) {
                self = .texts(many)
            } else if (try? container.decode([Int].self)) != nil || (try? container.decode([[Int]].self)) != nil {
                self = .tokens
            } else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "input must be a string or a list of strings")
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .texts(let texts): try container.encode(texts)
            case .tokens: try container.encode([Int]())
            }
        }
    }

    public init(input: Input, model: String? = nil, encodingFormat: String? = nil, dimensions: Int? = nil) {
        self.input = input
        self.model = model
        self.encodingFormat = encodingFormat
        self.dimensions = dimensions
    }

    enum CodingKeys: String, CodingKey {
        case input, model, dimensions
        case encodingFormat = "encoding_format"
    }
}

public struct OpenAIEmbeddingResponse: Codable, Sendable {
    public var object = "list"
    public var data: [Item]
    public var model: String
    public var usage: Usage

    public struct Item: Codable, Sendable {
        public var object = "embedding"
        public var index: Int
        public var embedding: Vector
        public init(index: Int, embedding: Vector) {
            self.index = index
            self.embedding = embedding
        }
    }

    /// The numbers, or their little-endian float32 bytes in base64.
    public enum Vector: Codable, Sendable {
        case float([Float])
        case base64(String)

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .base64(text)
            } else {
                self = .float(try container.decode([Float].self))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .float(let values): try container.encode(values)
            case .base64(let text): try container.encode(text)
            }
        }

        /// `values` as OpenAI's base64: each float32 little-endian, back to back.
        public static func base64(of values: [Float]) -> Vector {
            var bytes = Data(capacity: values.count * 4)
            for value in values {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
            }
            return .base64(bytes.base64EncodedString())
        }
    }

    public struct Usage: Codable, Sendable {
        public var promptTokens: Int
        public var totalTokens: Int
        public init(promptTokens: Int) {
            self.promptTokens = promptTokens
            totalTokens = promptTokens
        }
        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case totalTokens = "total_tokens"
        }
    }

    public init(data: [Item], model: String, usage: Usage) {
        self.data = data
        self.model = model
        self.usage = usage
    }
}

// MARK: - Models and errors

/// `GET /v1/models`.
public struct OpenAIModelList: Codable, Sendable {
    public var object = "list"
    public var data: [Model]

    public struct Model: Codable, Sendable {
        public var id: String
        public var object = "model"
        public var created: Int
        public var ownedBy: String
        /// Sotto's addition: grounded (answers from the documents), chat (a decoder, no retrieval) or embedding.
        public var sotto: Details

        public struct Details: Codable, Sendable {
            public var kind: String
            /// ready or loading (a request to a loading decoder gets 503 with Retry-After).
            public var state: String
            public init(kind: String, state: String) {
                self.kind = kind
                self.state = state
            }
        }

        public init(id: String, created: Int, ownedBy: String, sotto: Details) {
            self.id = id
            self.created = created
            self.ownedBy = ownedBy
            self.sotto = sotto
        }

        enum CodingKeys: String, CodingKey {
            case id, object, created, sotto
            case ownedBy = "owned_by"
        }
    }

    public init(data: [Model]) { self.data = data }
}

/// An error in OpenAI's shape; `code` is Sotto's stable error code.
public struct OpenAIErrorBody: Codable, Sendable {
    public struct Detail: Codable, Sendable {
        public var message: String
        public var type: String
        public var param: String?
        public var code: String?
        public init(message: String, type: String, param: String?, code: String?) {
            self.message = message
            self.type = type
            self.param = param
            self.code = code
        }
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(message, forKey: .message)
            try container.encode(type, forKey: .type)
            try container.encode(param, forKey: .param)
            try container.encode(code, forKey: .code)
        }
        enum CodingKeys: String, CodingKey { case message, type, param, code }
    }
    public var error: Detail
    public init(error: Detail) { self.error = error }
}
