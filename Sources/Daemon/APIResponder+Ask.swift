import API
import Answering
import Generation
import Retrieval
import Foundation
import Hummingbird

/// `POST /v1/ask`: a grounded answer, streamed as NDJSON events or as one JSON document.
extension APIResponder {
    /// `watch` ends the answer (and its generation) as soon as the client closes its connection,
    /// streamed or not, waiting in the queue or generating.
    func ask(
        _ wire: AskRequest, received: ContinuousClock.Instant, visibility: DocumentVisibility, note: AuditNote? = nil,
        watch: ConnectionWatch? = nil
    ) async throws -> Response {
        let request = try Self.validate(wire)
        let (prepared, chosen) = try await prepareGrounded(request, modelName: wire.model, visibility: visibility)
        let sources = prepared.sources.map(Self.wire)
        note?.documents = sources.map(\.path)
        let isStreaming = wire.stream ?? true

        if prepared.isAbstaining {
            let outcome = answerer.abstained(prepared)
            let result = Self.result(outcome, prepared: prepared, model: nil, received: received, firstToken: nil)
            guard isStreaming else { return try json(withSources(result, sources)) }
            return try ndjson([.sources(query: prepared.query, sources: sources, abstained: true), .token(outcome.answer), .done(result)])
        }
        // The decoder by its configured name (what a request's `model` takes), not by its file.
        let (modelName, model) = try chosen.get()
        let events = try startAnswer(prepared, model: model, received: received, watch: watch)

        guard isStreaming else {
            var firstToken: Double?
            do {
                for try await event in events {
                    if case .token = event, firstToken == nil { firstToken = Self.milliseconds(since: received) }
                    if case .done(let whole) = event {
                        let (outcome, draft) = whole.replacingDeclinedAnswer()
                        var result = Self.result(outcome, prepared: prepared, model: modelName, received: received, firstToken: firstToken)
                        result.draft = draft
                        return try json(withSources(result, sources))
                    }
                }
            } catch AnsweringError.clientLeft {
                throw AnsweringError.clientLeft  // no one to tell
            } catch {
                throw Self.apiError(error)
            }
            throw APIError.internalError("the answer ended without a result")
        }
        let body = ResponseBody { writer in
            let encoder = WireJSON.makeEncoder()
            func send(_ event: AskEvent) async throws {
                var line = try encoder.encode(event)
                line.append(UInt8(ascii: "\n"))
                try await writer.write(ByteBuffer(bytes: line))
            }
            try await send(.sources(query: prepared.query, sources: sources, abstained: false))
            var firstToken: Double?
            do {
                for try await event in events {
                    switch event {
                    case .queued(let position): try await send(.queued(position: position))
                    case .token(let text):
                        if firstToken == nil { firstToken = Self.milliseconds(since: received) }
                        try await send(.token(text))
                    case .done(let outcome):
                        try await send(.done(Self.result(outcome, prepared: prepared, model: modelName, received: received, firstToken: firstToken)))
                    }
                }
            } catch AnsweringError.clientLeft {
                // The client has left: no one reads an `error` event; the generation has stopped.
                throw AnsweringError.clientLeft
            } catch {
                // Every stream ends with `done` or `error`, whatever failed (the answer, or encoding
                // its result). If the failure was the write itself, this write fails too and ends the response.
                let failure = Self.apiError(error)
                try await send(.error(code: failure.code.rawValue, message: failure.message))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: body)
    }

    // MARK: - Request and result

    static func validate(_ wire: AskRequest) throws(APIError) -> AnswerRequest {
        let question = wire.question.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !question.isEmpty else { throw APIError(400, .emptyQuery, "the question is empty") }
        guard wire.question.unicodeScalars.count <= 4096 else { throw .badRequest("the question is longer than 4096 characters") }
        if let prefix = wire.pathPrefix { _ = try SourceRegistration.checked(prefix, field: "pathPrefix") }
        let style: AnswerStyle
        switch wire.style {
        case nil: style = .sentences
        case let name?:
            guard let value = AnswerStyle(rawValue: name) else { throw .badRequest("style must be sentences or short") }
            style = value
        }
        let sources = wire.sources ?? 5
        guard (1...20).contains(sources) else { throw .badRequest("sources must be between 1 and 20") }
        let temperature = wire.temperature ?? 0
        guard (0...2).contains(temperature) else { throw .badRequest("temperature must be between 0 and 2") }
        let maxTokens = wire.maxTokens ?? (style == .short ? 48 : 512)
        guard (1...4096).contains(maxTokens) else { throw .badRequest("maxTokens must be between 1 and 4096") }
        let history = wire.history ?? []
        guard history.count <= 50 else { throw .badRequest("history holds at most 50 turns") }
        var messages: [ChatMessage] = []
        for turn in history {
            guard let role = ChatMessage.Role(rawValue: turn.role), role != .system else {
                throw .badRequest("a history turn's role must be user or assistant, not \(turn.role.debugDescription)")
            }
            messages.append(ChatMessage(role: role, content: turn.content))
        }
        if let context = wire.context {
            guard (1...20).contains(context.count) else { throw .badRequest("context holds 1 to 20 passages") }
            guard context.allSatisfy({ !$0.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) else {
                throw .badRequest("every context passage needs text")
            }
        }
        return AnswerRequest(
            question: question, history: messages, sourceCount: sources, temperature: temperature, maxTokens: maxTokens,
            pathPrefix: wire.pathPrefix.flatMap { $0.isEmpty ? nil : $0 }, style: style,
            suppliedPassages: wire.context?.map { SuppliedPassage(title: $0.title, text: $0.text) },
            allowsAbstention: wire.abstain ?? true)
    }

    static func wire(_ source: AnswerSource) -> AskSource {
        var wire = AskSource(
            number: source.number, path: source.path, documentId: source.documentId, chunkIds: source.chunkIds,
            byteStart: source.byteStart, byteEnd: source.byteEnd, lineStart: source.lineStart, lineEnd: source.lineEnd,
            page: source.page, section: source.section, score: source.score, text: source.text)
        wire.locator = source.isExtracted ? .extracted : .file
        wire.pageEnd = source.pageEnd
        wire.part = source.part
        wire.ocr = source.isOCR ? true : nil
        return wire
    }

    static func result(
        _ outcome: AnswerOutcome, prepared: PreparedAnswer, model: String?, received: ContinuousClock.Instant, firstToken: Double?
    ) -> AskResult {
        AskResult(
            answer: outcome.answer,
            citations: outcome.citations.map { citation in
                let source = citation.source
                let quote = citation.quote?.clamped(to: 0..<source.text.utf8.count)
                var wire = AskCitation(
                    number: citation.number, path: source.path, documentId: source.documentId, byteStart: source.byteStart,
                    byteEnd: source.byteEnd, lineStart: source.lineStart, lineEnd: source.lineEnd, page: source.page,
                    quoteStart: quote?.lowerBound, quoteEnd: quote?.upperBound,
                    quote: quote.map { String(decoding: Array(source.text.utf8)[$0], as: UTF8.self) })
                wire.locator = source.isExtracted ? .extracted : .file
                wire.pageEnd = source.pageEnd
                wire.part = source.part
                wire.ocr = source.isOCR ? true : nil
                return wire
            },
            invalidCitations: outcome.invalidCitations, abstained: outcome.finishReason == .abstained,
            finishReason: outcome.finishReason.rawValue, model: model, query: prepared.query,
            relevance: prepared.relevance.map { AskRelevance(cosine: $0.cosine, coverage: $0.coverage) },
            counts: AskCounts(
                promptTokens: outcome.promptTokens, generatedTokens: outcome.generatedTokens, sources: prepared.sources.count,
                // Only when the decoder ran (the check runs on every answer it wrote).
                reusedPromptTokens: outcome.check.map { _ in outcome.reusedPromptTokens },
                draftedTokens: outcome.check.map { _ in outcome.draftedTokens },
                acceptedDraftTokens: outcome.check.map { _ in outcome.acceptedDraftTokens }),
            timings: AskTimings(
                retrievalMs: prepared.retrievalSeconds * 1000, queueMs: outcome.queueSeconds * 1000,
                prefillMs: outcome.prefillSeconds * 1000, decodeMs: outcome.decodeSeconds * 1000, firstTokenMs: firstToken,
                totalMs: milliseconds(since: received),
                tokensPerSecond: outcome.decodeSeconds > 0 ? Double(outcome.generatedTokens) / outcome.decodeSeconds : nil,
                checkMs: outcome.check.map { $0.seconds * 1000 }),
            sources: nil,
            sentences: outcome.check?.sentences.map {
                AskSentence(
                    start: $0.range.lowerBound, end: $0.range.upperBound, cited: $0.cited, verified: $0.verified,
                    supported: $0.isSupported, claim: $0.isClaim)
            },
            declined: outcome.isDeclined, warning: outcome.warning)
    }

    private func withSources(_ result: AskResult, _ sources: [AskSource]) -> AskResult {
        var result = result
        result.sources = sources
        return result
    }

    private func ndjson(_ events: [AskEvent]) throws -> Response {
        let encoder = WireJSON.makeEncoder()
        var data = Data()
        for event in events {
            data.append(try encoder.encode(event))
            data.append(UInt8(ascii: "\n"))
        }
        return Response(
            status: .ok, headers: [.contentType: "application/x-ndjson"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func apiError(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError: return error
        case AnsweringError.timedOutInQueue(let seconds):
            return APIError(503, .timeLimit, AnsweringError.timedOutInQueue(seconds: seconds).message, retryAfter: 10)
        case let error as AnsweringError: return APIError(500, .generationFailed, error.message)
        case is CancellationError: return APIError(503, .shuttingDown, "the answer was cancelled")
        default: return APIError(500, .generationFailed, "the decoder failed while answering: \(error)")
        }
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        (ContinuousClock.now - start).milliseconds
    }
}
