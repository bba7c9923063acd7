// The wire format of answers (`POST /v1/ask`) and of the decoder's status. Field names are part of
// the stable contract documented in docs/openapi.yaml: add fields, never rename.

import Foundation

/// A question to answer from the indexed documents.
public struct AskRequest: Codable, Sendable, Equatable {
    public var question: String
    /// Earlier turns of a chat, oldest first; a follow-up question is resolved against them.
    public var history: [ChatTurn]?
    /// A configured decoder's name; the default decoder when absent.
    public var model: String?
    /// Most passages to retrieve as sources (1–20, default 5).
    public var sources: Int?
    /// 0 (the default) is greedy: the same question gives the same answer.
    public var temperature: Double?
    /// Most tokens in the answer (1–4096, default 512).
    public var maxTokens: Int?
    /// Only documents whose path starts with this prefix.
    public var pathPrefix: String?
    /// "sentences" (the default: sentences citing [n]) or "short" (the shortest phrase that answers, copied word for word from a source).
    public var style: String?
    /// false: one JSON document (`AskResult`) instead of the NDJSON event stream.
    public var stream: Bool?
    /// Passages to answer from instead of searching: the evaluation's gold-passage condition.
    public var context: [ContextPassage]?
    /// false: ask the model even when retrieval found nothing relevant.
    public var abstain: Bool?

    public init(
        question: String, history: [ChatTurn]? = nil, model: String? = nil, sources: Int? = nil,
        temperature: Double? = nil, maxTokens: Int? = nil, pathPrefix: String? = nil, style: String? = nil,
        stream: Bool? = nil, context: [ContextPassage]? = nil, abstain: Bool? = nil
    ) {
        self.question = question
        self.history = history
        self.model = model
        self.sources = sources
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.pathPrefix = pathPrefix
        self.style = style
        self.stream = stream
        self.context = context
        self.abstain = abstain
    }
}

/// One earlier message of a chat.
public struct ChatTurn: Codable, Sendable, Equatable {
    /// "user" or "assistant".
    public var role: String
    public var content: String
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// A passage supplied with the request.
public struct ContextPassage: Codable, Sendable, Equatable {
    public var title: String
    public var text: String
    public init(title: String, text: String) {
        self.title = title
        self.text = text
    }
}

/// A numbered passage the answer is built from.
public struct AskSource: Codable, Sendable, Equatable {
    /// What the answer cites it by: [1] is the most relevant.
    public var number: Int
    /// The file (or a supplied passage's title).
    public var path: String
    /// Absent for supplied passages.
    public var documentId: Int64?
    public var chunkIds: [Int64]
    /// `[byteStart, byteEnd)` in the file as it is on disk, or in the extracted text when `locator`
    /// is `extracted`.
    public var byteStart: Int
    public var byteEnd: Int
    /// 1-based, inclusive.
    public var lineStart: Int
    public var lineEnd: Int
    public var locator: TextLocator?
    /// Absent for formats without pages (plain text).
    public var page: Int?
    public var pageEnd: Int?
    public var part: String?
    public var ocr: Bool?
    public var section: String?
    public var score: Double
    public var text: String

    public init(
        number: Int, path: String, documentId: Int64?, chunkIds: [Int64], byteStart: Int, byteEnd: Int,
        lineStart: Int, lineEnd: Int, page: Int?, section: String?, score: Double, text: String
    ) {
        self.number = number
        self.path = path
        self.documentId = documentId
        self.chunkIds = chunkIds
        self.byteStart = byteStart
        self.byteEnd = byteEnd
        self.lineStart = lineStart
        self.lineEnd = lineEnd
        self.page = page
        self.section = section
        self.score = score
        self.text = text
    }
}

/// A source the answer cites, and where it is.
public struct AskCitation: Codable, Sendable, Equatable {
    public var number: Int
    public var path: String
    public var documentId: Int64?
    public var byteStart: Int
    public var byteEnd: Int
    public var lineStart: Int
    public var lineEnd: Int
    public var locator: TextLocator?
    public var page: Int?
    public var pageEnd: Int?
    public var part: String?
    public var ocr: Bool?
    /// The words that support the answer: `[quoteStart, quoteEnd)` in bytes of the source's `text`
    /// (the `sources` event's), and that text.
    public var quoteStart: Int?
    public var quoteEnd: Int?
    public var quote: String?

    public init(
        number: Int, path: String, documentId: Int64?, byteStart: Int, byteEnd: Int, lineStart: Int, lineEnd: Int, page: Int?,
        quoteStart: Int? = nil, quoteEnd: Int? = nil, quote: String? = nil
    ) {
        self.number = number
        self.path = path
        self.documentId = documentId
        self.byteStart = byteStart
        self.byteEnd = byteEnd
        self.lineStart = lineStart
        self.lineEnd = lineEnd
        self.page = page
        self.quoteStart = quoteStart
        self.quoteEnd = quoteEnd
        self.quote = quote
    }
}

/// One sentence of the answer as the citation check saw it.
public struct AskSentence: Codable, Sendable, Equatable {
    /// `[start, end)` in bytes of the model's text (`answer`, or `draft` when that is present).
    public var start: Int
    public var end: Int
    /// The numbers the sentence cites as written.
    public var cited: [Int]
    /// The sources that hold it (what `citations` lists).
    public var verified: [Int]
    /// False: the sentence claims something no source holds.
    public var supported: Bool
    /// False for a sentence that claims nothing to check (a refusal, the question's own words).
    public var claim: Bool

    public init(start: Int, end: Int, cited: [Int], verified: [Int], supported: Bool, claim: Bool) {
        self.start = start
        self.end = end
        self.cited = cited
        self.verified = verified
        self.supported = supported
        self.claim = claim
    }
}

public struct AskCounts: Codable, Sendable, Equatable {
    public var promptTokens: Int
    public var generatedTokens: Int
    public var sources: Int
    /// Prompt tokens the decoder kept from the answer before (a shared prefix) and did not read
    /// again; absent when the decoder was not asked.
    public var reusedPromptTokens: Int?
    /// Tokens speculation proposed and how many of them the model kept; absent when the decoder was
    /// not asked.
    public var draftedTokens: Int?
    public var acceptedDraftTokens: Int?
    public init(
        promptTokens: Int, generatedTokens: Int, sources: Int, reusedPromptTokens: Int? = nil, draftedTokens: Int? = nil,
        acceptedDraftTokens: Int? = nil
    ) {
        self.promptTokens = promptTokens
        self.generatedTokens = generatedTokens
        self.sources = sources
        self.reusedPromptTokens = reusedPromptTokens
        self.draftedTokens = draftedTokens
        self.acceptedDraftTokens = acceptedDraftTokens
    }
}

/// Where the time went, in milliseconds.
public struct AskTimings: Codable, Sendable, Equatable {
    /// Searching and choosing the sources.
    public var retrievalMs: Double
    /// Waiting for the decoder.
    public var queueMs: Double
    /// Reading the prompt.
    public var prefillMs: Double
    /// Generating the answer.
    public var decodeMs: Double
    /// From receiving the request to the first answer token.
    public var firstTokenMs: Double?
    public var totalMs: Double
    /// Generated tokens per second of decoding.
    public var tokensPerSecond: Double?
    /// Checking the citations after generation.
    public var checkMs: Double?
    public init(
        retrievalMs: Double, queueMs: Double, prefillMs: Double, decodeMs: Double, firstTokenMs: Double?, totalMs: Double,
        tokensPerSecond: Double?, checkMs: Double? = nil
    ) {
        self.checkMs = checkMs
        self.retrievalMs = retrievalMs
        self.queueMs = queueMs
        self.prefillMs = prefillMs
        self.decodeMs = decodeMs
        self.firstTokenMs = firstTokenMs
        self.totalMs = totalMs
        self.tokensPerSecond = tokensPerSecond
    }
}

/// How relevant retrieval judged its best passages (what abstention decides on).
public struct AskRelevance: Codable, Sendable, Equatable {
    /// Best cosine similarity, when dense search is available.
    public var cosine: Double?
    /// Share of the question's content words found in one passage, 0–1.
    public var coverage: Double
    public init(cosine: Double?, coverage: Double) {
        self.cosine = cosine
        self.coverage = coverage
    }
}

/// The finished answer: the `done` event, and (with `sources`) the whole `"stream": false` response.
public struct AskResult: Codable, Sendable, Equatable {
    public var answer: String
    public var citations: [AskCitation]
    /// Numbers the answer cites that are not sources (dropped from `citations`).
    public var invalidCitations: [Int]
    /// True when nothing relevant was found and the model was not asked; `sources` are the closest passages.
    public var abstained: Bool
    /// stop, length, time_limit or abstained.
    public var finishReason: String
    /// The decoder that answered; absent when none was asked.
    public var model: String?
    /// The query retrieval ran (a follow-up rewritten to stand alone).
    public var query: String
    public var relevance: AskRelevance?
    public var counts: AskCounts
    public var timings: AskTimings
    /// In the `"stream": false` response; the stream sends them first, in the `sources` event.
    public var sources: [AskSource]?
    /// The citation check, sentence by sentence; absent when the decoder was not asked.
    public var sentences: [AskSentence]?
    /// True when no source holds the answer's central claim: the answer then says the documents do
    /// not seem to contain it (after the model's words when streamed, instead of them otherwise) and
    /// `sources` are the closest passages.
    public var declined: Bool
    /// The model's words, when `declined` replaced them in `answer` (`"stream": false`).
    public var draft: String?
    /// Why the answer may not be what the sources say: it uses words a source holds only inside an
    /// instruction to the model (a document may have steered it). Absent when there is no doubt.
    public var warning: String?

    public init(
        answer: String, citations: [AskCitation], invalidCitations: [Int], abstained: Bool, finishReason: String,
        model: String?, query: String, relevance: AskRelevance?, counts: AskCounts, timings: AskTimings,
        sources: [AskSource]?, sentences: [AskSentence]? = nil, declined: Bool = false, draft: String? = nil, warning: String? = nil
    ) {
        self.sentences = sentences
        self.declined = declined
        self.draft = draft
        self.answer = answer
        self.citations = citations
        self.invalidCitations = invalidCitations
        self.abstained = abstained
        self.finishReason = finishReason
        self.model = model
        self.query = query
        self.relevance = relevance
        self.counts = counts
        self.timings = timings
        self.sources = sources
        self.warning = warning
    }
}

extension AskResult {
    private enum Keys: String, CodingKey {
        case answer, citations, invalidCitations, abstained, finishReason, model, query, relevance, counts, timings, sources
        case sentences, declined, draft
    }

    /// Reads what an older daemon wrote too: `declined` is absent there (false).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        self.init(
            answer: try container.decode(String.self, forKey: .answer),
            citations: try container.decode([AskCitation].self, forKey: .citations),
            invalidCitations: try container.decode([Int].self, forKey: .invalidCitations),
            abstained: try container.decode(Bool.self, forKey: .abstained),
            finishReason: try container.decode(String.self, forKey: .finishReason),
            model: try container.decodeIfPresent(String.self, forKey: .model),
            query: try container.decode(String.self, forKey: .query),
            relevance: try container.decodeIfPresent(AskRelevance.self, forKey: .relevance),
            counts: try container.decode(AskCounts.self, forKey: .counts),
            timings: try container.decode(AskTimings.self, forKey: .timings),
            sources: try container.decodeIfPresent([AskSource].self, forKey: .sources),
            sentences: try container.decodeIfPresent([AskSentence].self, forKey: .sentences),
            declined: try container.decodeIfPresent(Bool.self, forKey: .declined) ?? false,
            draft: try container.decodeIfPresent(String.self, forKey: .draft))
    }
}

/// One line of the `/v1/ask` NDJSON stream: `sources` first, then `queued` while waiting for the
/// decoder, `token`s, and finally `done` or `error`. Encoded flat with an `event` field.
public enum AskEvent: Codable, Sendable, Equatable {
    case sources(query: String, sources: [AskSource], abstained: Bool)
    case queued(position: Int)
    case token(String)
    case done(AskResult)
    case error(code: String, message: String)

    private enum Keys: String, CodingKey {
        case event, query, sources, abstained, position, text, code, message
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        switch try container.decode(String.self, forKey: .event) {
        case "sources":
            self = .sources(
                query: try container.decode(String.self, forKey: .query),
                sources: try container.decode([AskSource].self, forKey: .sources),
                abstained: try container.decode(Bool.self, forKey: .abstained))
        case "queued": self = .queued(position: try container.decode(Int.self, forKey: .position))
        case "token": self = .token(try container.decode(String.self, forKey: .text))
        case "done": self = .done(try AskResult(from: decoder))
        case "error":
            self = .error(code: try container.decode(String.self, forKey: .code), message: try container.decode(String.self, forKey: .message))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .event, in: container, debugDescription: "unknown event \(other)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        switch self {
        case .sources(let query, let sources, let abstained):
            try container.encode("sources", forKey: .event)
            try container.encode(query, forKey: .query)
            try container.encode(sources, forKey: .sources)
            try container.encode(abstained, forKey: .abstained)
        case .queued(let position):
            try container.encode("queued", forKey: .event)
            try container.encode(position, forKey: .position)
        case .token(let text):
            try container.encode("token", forKey: .event)
            try container.encode(text, forKey: .text)
        case .done(let result):
            try container.encode("done", forKey: .event)
            try result.encode(to: encoder)
        case .error(let code, let message):
            try container.encode("error", forKey: .event)
            try container.encode(code, forKey: .code)
            try container.encode(message, forKey: .message)
        }
    }
}

/// The decoders (`/v1/status`).
public struct DecoderStatus: Codable, Sendable, Equatable {
    /// The model `/v1/ask` uses when the request names none; absent when none is installed.
    public var defaultModel: String?
    public var models: [Model]
    public var queue: Queue

    public struct Model: Codable, Sendable, Equatable {
        public var name: String
        public var file: String
        /// missing (no file), unloaded, loading, ready or failed.
        public var state: String
        public var message: String?
        public init(name: String, file: String, state: String, message: String?) {
            self.name = name
            self.file = file
            self.state = state
            self.message = message
        }
    }

    public struct Queue: Codable, Sendable, Equatable {
        /// True while an answer is being generated.
        public var busy: Bool
        public var waiting: Int
        public var capacity: Int
        public init(busy: Bool, waiting: Int, capacity: Int) {
            self.busy = busy
            self.waiting = waiting
            self.capacity = capacity
        }
    }

    public init(defaultModel: String?, models: [Model], queue: Queue) {
        self.defaultModel = defaultModel
        self.models = models
        self.queue = queue
    }
}
