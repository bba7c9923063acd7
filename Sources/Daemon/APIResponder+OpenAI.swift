import API
import Answering
import Foundation
import Generation
import Hummingbird
import Retrieval

/// The OpenAI-compatible chat endpoint, `POST /v1/chat/completions`, and `GET /v1/models`. The model
/// named `[server] grounded_model` ("sotto") answers from the documents exactly as `/v1/ask` does;
/// each decoder's own name is plain chat with that model. Both take the one answer path
/// (`prepareGrounded`, `startAnswer`); only the wire shape differs.
extension APIResponder {
    /// The endpoints whose errors take OpenAI's shape.
    static let openAIPaths: Set<String> = ["/v1/chat/completions", "/v1/embeddings", "/v1/models"]

    /// Grounded answers search only what `visibility` allows, as `/v1/ask` does.
    func chatCompletions(
        _ wire: OpenAIChatRequest, received: ContinuousClock.Instant, visibility: DocumentVisibility, note: AuditNote? = nil,
        watch: ConnectionWatch?
    ) async throws -> Response {
        let messages = try Self.chatMessages(wire.messages)
        var options = try Self.generationOptions(wire)
        let requestedTokens = wire.maxCompletionTokens ?? wire.maxTokens
        let grounded = wire.model == configuration.groundedModelName
        let prepared: PreparedAnswer
        var model: (any AnswerModel)?
        if grounded {
            guard let question = messages.last, question.role == .user else {
                throw APIError(400, .badRequest, "the last message must be the user's question", param: "messages")
            }
            let request = AnswerRequest(
                question: question.content, history: messages.dropLast().filter { $0.role != .system },
                temperature: wire.temperature ?? 0, maxTokens: requestedTokens ?? 512)
            let (answer, chosen) = try await prepareGrounded(request, modelName: nil, visibility: visibility)
            note?.documents = answer.sources.map(\.path)
            var withSampling = answer
            withSampling.options.sampling = options.sampling
            withSampling.options.stopStrings = options.stopStrings
            prepared = withSampling
            if !answer.isAbstaining { model = try chosen.get().model }
        } else {
            let chosen: any AnswerModel
            switch decoders.model(named: wire.model) {
            case .success(let found): chosen = found.model
            case .failure(let error) where error.code == .unknownModel:
                throw APIError(
                    404, .unknownModel,
                    "no model is called \(wire.model.debugDescription); GET /v1/models lists them (\(configuration.groundedModelName) answers from your documents)",
                    param: "model")
            case .failure(let error): throw error
            }
            let promptTokens = messages.reduce(0) { $0 + chosen.countTokens($1.content) + 8 }
            let room = chosen.contextTokens - promptTokens
            guard room > 0 else {
                throw APIError(
                    400, .contextLengthExceeded,
                    "the messages take about \(promptTokens) tokens; \(wire.model) has a context window of \(chosen.contextTokens)",
                    param: "messages")
            }
            options.maxTokens = min(requestedTokens ?? room, room)
            prepared = .direct(messages, options: options)
            model = chosen
        }

        let reply = OpenAIReply(
            id: "chatcmpl-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased(),
            created: Int(Date().timeIntervalSince1970), model: wire.model, isGrounded: grounded,
            sources: grounded ? prepared.sources.map(Self.wire) : [], query: prepared.query)
        let isStreaming = wire.stream ?? false
        let includeUsage = wire.streamOptions?.includeUsage ?? false
        guard let model else {
            // Abstained: the documents do not hold the answer and the model is not asked.
            let outcome = answerer.abstained(prepared)
            let result = Self.result(outcome, prepared: prepared, model: nil, received: received, firstToken: nil)
            guard isStreaming else { return try json(reply.completion(text: outcome.answer, outcome: outcome, result: result)) }
            return sse { send in
                try await send(reply.chunk(OpenAIChatChunk.Delta(role: "assistant", content: "")))
                try await send(reply.chunk(OpenAIChatChunk.Delta(content: outcome.answer)))
                try await send(reply.lastChunk(outcome: outcome, result: result, includeUsage: includeUsage))
            }
        }
        let events = try startAnswer(prepared, model: model, received: received, watch: watch)

        guard isStreaming else {
            var text = ""
            do {
                for try await event in events {
                    switch event {
                    case .queued: break
                    case .token(let piece): text += piece
                    case .done(let outcome):
                        let result = Self.result(outcome, prepared: prepared, model: nil, received: received, firstToken: nil)
                        // Grounded: the answer as /v1/ask gives it; plain: the model's text as it came.
                        return try json(reply.completion(text: grounded ? outcome.answer : text, outcome: outcome, result: result))
                    }
                }
            } catch AnsweringError.clientLeft {
                throw AnsweringError.clientLeft
            } catch {
                throw Self.apiError(error)
            }
            throw APIError.internalError("the answer ended without a result")
        }
        return sse { send in
            try await send(reply.chunk(OpenAIChatChunk.Delta(role: "assistant", content: "")))
            do {
                for try await event in events {
                    switch event {
                    case .queued: break
                    case .token(let piece): try await send(reply.chunk(OpenAIChatChunk.Delta(content: piece)))
                    case .done(let outcome):
                        let result = Self.result(outcome, prepared: prepared, model: nil, received: received, firstToken: nil)
                        try await send(reply.lastChunk(outcome: outcome, result: result, includeUsage: includeUsage))
                    }
                }
            } catch let error as AnsweringError where error != .clientLeft {
                // As OpenAI reports a failure mid-stream: an event holding an error object. Failed
                // writes and a client that left are not caught: they end the response and the generation.
                try await send(Self.openAIErrorBody(Self.apiError(error)))
            }
        }
    }

    func models() -> OpenAIModelList {
        let created = Int(startedAt.timeIntervalSince1970)
        let usable = ["unloaded", "loading", "ready"]
        let status = decoders.status
        var data: [OpenAIModelList.Model] = []
        if let name = status.defaultModel, let state = status.models.first(where: { $0.name == name })?.state, usable.contains(state) {
            data.append(.init(
                id: configuration.groundedModelName, created: created, ownedBy: "sotto",
                sotto: .init(kind: "grounded", state: state == "ready" ? "ready" : "loading")))
        }
        for model in status.models where configuration.decoder.isEnabled && usable.contains(model.state) {
            data.append(.init(
                id: model.name, created: created, ownedBy: "sotto", sotto: .init(kind: "chat", state: model.state == "ready" ? "ready" : "loading")))
        }
        if let encoder {
            data.append(.init(id: encoder.modelName, created: created, ownedBy: "sotto", sotto: .init(kind: "embedding", state: "ready")))
        }
        return OpenAIModelList(data: data)
    }

    // MARK: - Requests

    /// The messages as the model sees them; developer messages are system messages.
    static func chatMessages(_ wire: [OpenAIChatMessage]) throws(APIError) -> [ChatMessage] {
        guard !wire.isEmpty else { throw APIError(400, .badRequest, "messages is empty", param: "messages") }
        guard wire.count <= 200 else { throw APIError(400, .badRequest, "at most 200 messages", param: "messages") }
        var messages: [ChatMessage] = []
        for (index, message) in wire.enumerated() {
            let role: ChatMessage.Role
            switch message.role {
            case "system", "developer": role = .system
            case "user": role = .user
            case "assistant": role = .assistant
            default:
                throw APIError(
                    400, .badRequest, "messages[\(index)].role \(message.role.debugDescription) is not supported; use system, user or assistant",
                    param: "messages[\(index)].role")
            }
            messages.append(ChatMessage(role: role, content: message.content ?? ""))
        }
        guard messages.contains(where: { $0.role == .user && !$0.content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) else {
            throw APIError(400, .emptyQuery, "the messages hold no user message with text", param: "messages")
        }
        return messages
    }

    static func generationOptions(_ wire: OpenAIChatRequest) throws(APIError) -> GenerationOptions {
        if let n = wire.n, n != 1 { throw APIError(400, .badRequest, "only n = 1 is supported", param: "n") }
        let temperature = wire.temperature ?? 0
        guard (0...2).contains(temperature) else { throw APIError(400, .badRequest, "temperature must be between 0 and 2", param: "temperature") }
        if let topP = wire.topP, !(0...1).contains(topP) {
            throw APIError(400, .badRequest, "top_p must be between 0 and 1", param: "top_p")
        }
        let maxTokens = wire.maxCompletionTokens ?? wire.maxTokens
        if let maxTokens, !(1...4096).contains(maxTokens) {
            throw APIError(400, .badRequest, "max_completion_tokens must be between 1 and 4096", param: "max_completion_tokens")
        }
        let stop = wire.stop?.strings ?? []
        guard stop.count <= 4, stop.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 256 }) else {
            throw APIError(400, .badRequest, "stop holds at most 4 non-empty strings", param: "stop")
        }
        var sampling = SamplingOptions(temperature: Float(temperature))
        // The sampler needs a share above 0; the smallest one keeps only the likeliest token, as 0 means.
        if let topP = wire.topP { sampling.topP = Float(max(topP, 1e-6)) }
        if let seed = wire.seed { sampling.seed = UInt64(bitPattern: seed) }
        return GenerationOptions(maxTokens: maxTokens ?? 512, sampling: sampling, stopStrings: stop)
    }

    // MARK: - Responses

    /// A server-sent event stream: `data: {json}` events, then `data: [DONE]`.
    private func sse(_ produce: @escaping @Sendable (_ send: (any Encodable & Sendable) async throws -> Void) async throws -> Void)
        -> Response
    {
        let body = ResponseBody { writer in
            let encoder = WireJSON.makeEncoder()
            func send(_ value: any Encodable & Sendable) async throws {
                var event = Data("data: ".utf8)
                event.append(try encoder.encode(value))
                event.append(contentsOf: Array("\n\n".utf8))
                try await writer.write(ByteBuffer(bytes: event))
            }
            try await produce(send)
            try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    static func openAIErrorBody(_ error: APIError) -> OpenAIErrorBody {
        let type: String
        switch error.status {
        case 429: type = "rate_limit_error"
        case 400..<500: type = "invalid_request_error"
        default: type = "server_error"
        }
        return OpenAIErrorBody(error: .init(message: error.message, type: type, param: error.param, code: error.code.rawValue))
    }

    static func openAIErrorResponse(_ error: APIError) -> Response {
        var data = (try? WireJSON.makeEncoder().encode(openAIErrorBody(error))) ?? Data()
        data.append(UInt8(ascii: "\n"))
        var headers: HTTPFields = [.contentType: "application/json"]
        if error.status == 413 { headers[.connection] = "close" }
        if let seconds = error.retryAfter { headers[.retryAfter] = String(seconds) }
        if let allow = error.allow { headers[.allow] = allow.joined(separator: ", ") }
        return Response(
            status: HTTPResponse.Status(code: error.status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// The parts of one chat completion that every chunk repeats, and how outcomes map to OpenAI's fields.
private struct OpenAIReply: Sendable {
    let id: String
    let created: Int
    let model: String
    let isGrounded: Bool
    let sources: [AskSource]
    let query: String

    func chunk(_ delta: OpenAIChatChunk.Delta) -> OpenAIChatChunk {
        OpenAIChatChunk(id: id, created: created, model: model, choices: [.init(index: 0, delta: delta, finishReason: nil)])
    }

    func lastChunk(outcome: AnswerOutcome, result: AskResult, includeUsage: Bool) -> OpenAIChatChunk {
        OpenAIChatChunk(
            id: id, created: created, model: model,
            choices: [.init(index: 0, delta: .init(), finishReason: Self.finishReason(outcome.finishReason))],
            usage: includeUsage ? usage(outcome) : nil, sotto: grounding(result))
    }

    func completion(text: String, outcome: AnswerOutcome, result: AskResult) -> OpenAIChatCompletion {
        OpenAIChatCompletion(
            id: id, created: created, model: model,
            choices: [.init(
                index: 0, message: OpenAIChatMessage(role: "assistant", content: text), finishReason: Self.finishReason(outcome.finishReason))],
            usage: usage(outcome), systemFingerprint: "sotto-\(SottoVersion.string)", sotto: grounding(result))
    }

    private func usage(_ outcome: AnswerOutcome) -> OpenAIUsage {
        OpenAIUsage(promptTokens: outcome.promptTokens, completionTokens: outcome.generatedTokens)
    }

    private func grounding(_ result: AskResult) -> OpenAIGrounding? {
        guard isGrounded else { return nil }
        return OpenAIGrounding(citations: result.citations, sources: sources, abstained: result.abstained, query: query)
    }

    /// OpenAI knows stop and length: a time limit cut the answer short like a token limit does.
    static func finishReason(_ reason: FinishReason) -> String {
        switch reason {
        case .stop, .abstained: "stop"
        case .length, .timeLimit: "length"
        }
    }
}
