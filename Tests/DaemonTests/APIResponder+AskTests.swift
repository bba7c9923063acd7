import Answering
import Foundation
import Testing
@testable import API
@testable import Daemon

/// `/v1/ask` end to end inside this process: the real daemon, a fake decoder.
@Suite(.serialized) struct AskEndpointTests {
    let question = AskRequest(question: "When does the Berlin lease end?")

    @Test func streamsSourcesThenTokensThenDoneWithCitations() async throws {
        let daemon = try await InProcessDaemon.ready(model: EchoAnswerModel(name: "fake"))
        let events = try await daemon.askEvents(question)
        let file = try Data(contentsOf: daemon.documents.appendingPathComponent("contracts/berlin-lease.md"))
        await daemon.stop()

        guard case .sources(let query, let sources, let abstained)? = events.first else {
            Issue.record("the first event is not the sources: \(events)")
            return
        }
        #expect(query == question.question)
        #expect(!abstained)
        let lease = try #require(sources.first)
        #expect(lease.number == 1)
        #expect(lease.path.hasSuffix("contracts/berlin-lease.md"))
        guard case .done(let result)? = events.last else {
            Issue.record("the last event is not done: \(events)")
            return
        }
        let tokens = events.dropFirst().dropLast().compactMap { event -> String? in
            if case .token(let text) = event { return text }
            return nil
        }
        #expect(tokens.count == events.count - 2, "only tokens between sources and done")
        #expect(tokens.joined().trimmingCharacters(in: .whitespaces) == result.answer)
        #expect(result.finishReason == "stop")
        #expect(result.model == "fake")
        #expect(Set(result.citations.map(\.number)) == Set(sources.map(\.number)))
        let citation = try #require(result.citations.first { $0.number == 1 })
        #expect(citation.path == lease.path)
        #expect(citation.byteStart == lease.byteStart && citation.byteEnd == lease.byteEnd)
        #expect(citation.lineStart == lease.lineStart && citation.lineEnd == lease.lineEnd)
        #expect(citation.page == nil)
        // The cited bytes are where the file has them.
        #expect(citation.path.hasSuffix("contracts/berlin-lease.md"))
        #expect(String(decoding: file[citation.byteStart..<citation.byteEnd], as: UTF8.self).contains("28 February 2029"))
        #expect(result.counts.sources == sources.count)
        #expect(result.counts.generatedTokens == tokens.count)
        #expect(result.timings.firstTokenMs != nil)
        #expect(result.timings.totalMs >= result.timings.retrievalMs)
        // The stand-in keeps no prompt and drafts nothing, but the decoder ran: the counts are there.
        #expect(result.counts.reusedPromptTokens == 0 && result.counts.draftedTokens == 0 && result.counts.acceptedDraftTokens == 0)
    }

    @Test func answersWithOneDocumentWhenNotStreaming() async throws {
        let daemon = try await InProcessDaemon.ready(model: EchoAnswerModel(name: "fake"))
        let result = try await daemon.run { try $0.askWhole(question) }
        let raw = try await daemon.run { try $0.raw("POST", "/ask", body: Data(#"{"question": "When does the Berlin lease end?", "stream": false}"#.utf8)) }
        await daemon.stop()
        #expect(result.answer.hasPrefix("Source [1] says:"))
        #expect(result.sources?.first?.path.hasSuffix("berlin-lease.md") == true)
        #expect(!result.citations.isEmpty)
        #expect(raw.status == 200)
        #expect(raw.head.header("Content-Type") == "application/json")
    }

    @Test func theAnswerNamesTheDecoderByItsConfiguredName() async throws {
        // A real decoder names itself by its file; a client asks for it by the configured name.
        let daemon = try await InProcessDaemon.ready(model: EchoAnswerModel(name: "/models/fake.gguf"))
        let result = try await daemon.run { try $0.askWhole(question) }
        let events = try await daemon.askEvents(question)
        await daemon.stop()
        #expect(result.model == "fake")
        guard case .done(let streamed)? = events.last else {
            Issue.record("the last event is not done: \(events)")
            return
        }
        #expect(streamed.model == "fake")
    }

    /// Answers speculate by default; `[decoder] speculation = false` has the decoder take one token
    /// per pass, for grounded answers and plain chats alike.
    @Test func speculationIsOnByDefaultAndTheConfigurationTurnsItOff() async throws {
        let speculating = EchoAnswerModel(name: "fake")
        let daemon = try await InProcessDaemon.ready(model: speculating)
        _ = try await daemon.run { try $0.askWhole(question) }
        await daemon.stop()
        #expect(speculating.receivedOptions.count == 1)
        #expect(speculating.receivedOptions.allSatisfy { $0.speculation != nil })

        let plain = EchoAnswerModel(name: "fake")
        let plainDaemon = try await InProcessDaemon.ready(model: plain, decoderConfig: "speculation = false")
        _ = try await plainDaemon.run { try $0.askWhole(question) }
        let chat = try await plainDaemon.run {
            try $0.raw("POST", "/chat/completions", body: Data(#"{"model": "fake", "messages": [{"role": "user", "content": "Hello"}]}"#.utf8))
        }
        await plainDaemon.stop()
        #expect(chat.status == 200)
        #expect(plain.receivedOptions.count == 2)
        #expect(plain.receivedOptions.allSatisfy { $0.speculation == nil })
    }

    @Test func citationsOfSourcesThatDoNotExistAreDroppedAndFlagged() async throws {
        let daemon = try await InProcessDaemon.ready(model: EchoAnswerModel(name: "fake", script: ["It ends in 2029", " [1]", " [9]."]))
        let result = try await daemon.run { try $0.askWhole(question) }
        await daemon.stop()
        #expect(result.citations.map(\.number) == [1])
        #expect(result.invalidCitations == [9])
    }

    @Test func theDoneEventCarriesTheCheckedSentencesAndTheSupportingQuote() async throws {
        let answer = "The lease ends on 28 February 2029 [2]. The deposit is 4,000 euros."
        let daemon = try await InProcessDaemon.ready(model: EchoAnswerModel(name: "fake", script: [answer]))
        let events = try await daemon.askEvents(question)
        await daemon.stop()
        guard case .sources(_, let sources, _)? = events.first, case .done(let result)? = events.last else {
            Issue.record("not sources … done: \(events)")
            return
        }
        let lease = try #require(sources.first { $0.path.hasSuffix("berlin-lease.md") })
        let sentences = try #require(result.sentences)
        #expect(sentences.map(\.supported) == [true, false])
        #expect(sentences.first?.cited == [2])
        #expect(sentences.first?.verified == [lease.number])
        let bytes = Array(result.answer.utf8)
        #expect(sentences.first.map { String(decoding: bytes[$0.start..<$0.end], as: UTF8.self) } == "The lease ends on 28 February 2029 [2].")
        let citation = try #require(result.citations.first)
        #expect(result.citations.count == 1 && citation.number == lease.number)
        #expect(citation.quote == "The lease begins on 1 March 2024 and ends on 28 February 2029.")
        let (start, end) = (try #require(citation.quoteStart), try #require(citation.quoteEnd))
        #expect(String(decoding: Array(lease.text.utf8)[start..<end], as: UTF8.self) == citation.quote)
        #expect(!result.declined)
        #expect(result.timings.checkMs != nil)
    }

    @Test func anAnswerNoSourceHoldsIsReplacedWhenNotStreamed() async throws {
        let answer = "The deposit for the Berlin office is 4,000 euros [1]."
        let daemon = try await InProcessDaemon.ready(model: EchoAnswerModel(name: "fake", script: [answer]))
        let request = AskRequest(question: "How much is the deposit for the Berlin office?")
        let whole = try await daemon.run { try $0.askWhole(request) }
        let events = try await daemon.askEvents(request)
        await daemon.stop()
        #expect(whole.declined)
        #expect(whole.answer == Answerer.abstentionText)
        #expect(whole.draft == answer)
        #expect(whole.citations.isEmpty)
        #expect(whole.sources?.isEmpty == false, "the closest passages")
        guard case .done(let streamed)? = events.last else {
            Issue.record("the last event is not done: \(events)")
            return
        }
        #expect(streamed.declined)
        #expect(streamed.answer == answer + "\n\n" + Answerer.ungroundedText)
        #expect(streamed.draft == nil)
    }

    @Test func suppliedContextReplacesRetrieval() async throws {
        let daemon = try await InProcessDaemon(model: EchoAnswerModel(name: "fake"))
        try await daemon.waitForDecoder()
        let request = AskRequest(
            question: "Who won Super Bowl 50?", style: "short",
            context: [ContextPassage(title: "Super Bowl 50", text: "The Denver Broncos defeated the Carolina Panthers.")])
        let result = try await daemon.run { try $0.askWhole(request) }
        await daemon.stop()
        #expect(result.sources?.map(\.path) == ["Super Bowl 50"])
        #expect(result.answer.contains("Denver Broncos"))
        #expect(result.relevance == nil)
    }

    @Test func abstainsWithoutAskingTheModelWhenNothingIsRelevant() async throws {
        let model = EchoAnswerModel(name: "fake")
        let daemon = try await InProcessDaemon.ready(model: model)
        let events = try await daemon.askEvents(AskRequest(question: "What is the boiling point of mercury on Jupiter?"))
        await daemon.stop()
        guard case .sources(_, _, let abstained)? = events.first, case .done(let result)? = events.last else {
            Issue.record("unexpected events \(events)")
            return
        }
        #expect(abstained)
        #expect(result.abstained)
        #expect(result.finishReason == "abstained")
        #expect(result.answer.contains("do not seem to contain"))
        #expect(model.receivedChats.isEmpty)
        #expect(result.counts.reusedPromptTokens == nil && result.counts.draftedTokens == nil, "no decoder, no decoder counts")
    }

    @Test func withoutADecoderAskFailsClearlyAndSearchWorks() async throws {
        let daemon = try await InProcessDaemon(model: EchoAnswerModel(name: "fake"), installModel: false)
        try await daemon.index()
        let answer = try await daemon.run { try $0.raw("POST", "/ask", body: Data(#"{"question": "When does the Berlin lease end?"}"#.utf8)) }
        let search = try await daemon.run { try $0.search(SearchRequest(query: "lease")) }
        let status = try await daemon.run { try $0.status() }
        await daemon.stop()
        #expect(answer.status == 503)
        let error = try WireJSON.makeDecoder().decode(ErrorBody.self, from: answer.body)
        #expect(error.error.code == "decoder_unavailable")
        #expect(error.error.message.contains("Scripts/fetch-models decoders"))
        #expect(!search.hits.isEmpty)
        #expect(status.decoder?.models.first?.state == "missing")
        #expect(status.decoder?.defaultModel == nil)
    }

    @Test func searchesWorkWhileTheDecoderLoadsAndAskSaysItIsLoading() async throws {
        let daemon = try await InProcessDaemon(model: EchoAnswerModel(name: "fake"), loadDelay: .seconds(2))
        try await daemon.index()
        let loading = try await daemon.run { try $0.status().decoder?.models.first?.state }
        let search = try await daemon.run { try $0.search(SearchRequest(query: "lease")) }
        let answer = try await daemon.run { try $0.raw("POST", "/ask", body: Data(#"{"question": "When does the Berlin lease end?"}"#.utf8)) }
        try await daemon.waitForDecoder()
        let ready = try await daemon.run { try $0.askWhole(question) }
        await daemon.stop()
        #expect(loading == "loading")
        #expect(!search.hits.isEmpty)
        #expect(answer.status == 503)
        #expect(answer.head.header("Retry-After") != nil)
        #expect(try WireJSON.makeDecoder().decode(ErrorBody.self, from: answer.body).error.code == "decoder_loading")
        #expect(!ready.answer.isEmpty)
    }

    @Test func aFullQueueAnswers503WithRetryAfter() async throws {
        let model = EchoAnswerModel(name: "fake", tokenDelay: .milliseconds(50), script: Array(repeating: "word ", count: 100))
        let daemon = try await InProcessDaemon.ready(model: model, decoderConfig: "queue_size = 0")
        // The first answer holds the decoder...
        let busy = try await daemon.openAsk(#"{"question": "When does the Berlin lease end?"}"#)
        #expect(busy.head?.status == 200)
        // ...and with no place to wait, the second is refused at once.
        let refused = try await daemon.run { try $0.raw("POST", "/ask", body: Data(#"{"question": "When does the Berlin lease end?"}"#.utf8)) }
        let status = try await daemon.run { try $0.status() }
        _ = busy
        await daemon.stop()
        #expect(refused.status == 503)
        #expect(Int(refused.head.header("Retry-After") ?? "") ?? 0 >= 1)
        #expect(try WireJSON.makeDecoder().decode(ErrorBody.self, from: refused.body).error.code == "queue_full")
        #expect(status.decoder?.queue.busy == true)
    }

    @Test func aClientThatDisconnectsStopsItsGenerationWithinOneToken() async throws {
        let model = EchoAnswerModel(name: "fake", tokenDelay: .milliseconds(30), script: Array(repeating: "word ", count: 300))
        let daemon = try await InProcessDaemon.ready(model: model)
        let socketPath = daemon.socketPath
        let status200 = try await daemon.run { _ in
            let connection = try UnixHTTPConnection(socketPath: socketPath, timeout: 20)
            try connection.send(
                method: "POST", path: "/v1/ask", body: Data(#"{"question": "When does the Berlin lease end?"}"#.utf8),
                accept: "application/x-ndjson")
            let head = try connection.readHead()
            var tokens = 0
            struct Enough: Error {}
            do {
                try connection.readBody(head: head) { bytes in
                    tokens += bytes.split(separator: UInt8(ascii: "\n")).filter { String(decoding: $0, as: UTF8.self).contains(#""event":"token""#) }.count
                    if tokens >= 5 { throw Enough() }
                }
            } catch is Enough {}
            return head.status == 200
        }  // the connection is closed once this returns
        #expect(status200)
        try await expectGenerationStops(model, daemon)
    }

    @Test func aClientThatLeavesBeforeANonStreamedAnswerStopsItsGenerationWithinOneToken() async throws {
        let model = EchoAnswerModel(name: "fake", tokenDelay: .milliseconds(30), script: Array(repeating: "word ", count: 300))
        let daemon = try await InProcessDaemon.ready(model: model)
        // Nothing is written to a client of a non-streamed answer until the end, so only the
        // closed connection can tell the daemon that the client has gone.
        let connection = try await daemon.openAsk(
            #"{"question": "When does the Berlin lease end?", "stream": false}"#, waitForHead: false)
        var waited = 0
        while model.emittedPieces < 5 && waited < 200 {
            try await Task.sleep(for: .milliseconds(20))
            waited += 1
        }
        #expect(model.emittedPieces >= 5, "the answer did not start")
        connection.close()
        try await expectGenerationStops(model, daemon)
    }

    /// After a client has left: at most one more piece (the one in flight), the decoder free.
    /// Stops the daemon.
    private func expectGenerationStops(
        _ model: EchoAnswerModel, _ daemon: InProcessDaemon, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let atClose = model.emittedPieces
        try await Task.sleep(for: .milliseconds(400))  // more than ten token times
        let later = model.emittedPieces
        let status = try await daemon.run { try $0.status() }
        await daemon.stop()
        #expect(later - atClose <= 1, "\(later - atClose) pieces after the client left", sourceLocation: sourceLocation)
        #expect(later < model.script?.count ?? 0, sourceLocation: sourceLocation)
        #expect(status.decoder?.queue.busy == false, sourceLocation: sourceLocation)
    }

    @Test func aQueuedClientThatLeavesGivesUpItsPlace() async throws {
        let model = EchoAnswerModel(name: "fake", tokenDelay: .milliseconds(30), script: Array(repeating: "word ", count: 200))
        let daemon = try await InProcessDaemon.ready(model: model)
        let busy = try await daemon.openAsk(#"{"question": "When does the Berlin lease end?"}"#)
        #expect(busy.head?.status == 200)
        let waiting = try await daemon.openAsk(#"{"question": "When does the Berlin lease end?", "stream": true}"#)
        #expect(waiting.head?.status == 200)
        let queued = try await daemon.run { try $0.status() }
        waiting.close()
        // Well within the second after which a waiting stream is told its place again (a write
        // that would fail too).
        var status = queued
        for _ in 0..<30 where status.decoder?.queue.waiting != 0 {
            try await Task.sleep(for: .milliseconds(10))
            status = try await daemon.run { try $0.status() }
        }
        _ = busy
        await daemon.stop()
        #expect(queued.decoder?.queue.waiting == 1)
        #expect(status.decoder?.queue.waiting == 0, "the client that left still holds its place")
        #expect(status.decoder?.queue.busy == true, "the first answer goes on")
    }

    @Test func theTimeLimitEndsALongAnswer() async throws {
        let model = EchoAnswerModel(name: "fake", tokenDelay: .milliseconds(50), script: Array(repeating: "word ", count: 400))
        let daemon = try await InProcessDaemon.ready(model: model, decoderConfig: "time_limit_seconds = 1")
        let result = try await daemon.run { try $0.askWhole(question) }
        await daemon.stop()
        #expect(result.finishReason == "time_limit")
        #expect(result.counts.generatedTokens < 400)
        #expect(result.timings.totalMs < 5000)
    }

    @Test func searchAndStatusAnswerWhileAnAnswerIsBeingGenerated() async throws {
        let model = EchoAnswerModel(name: "fake", tokenDelay: .milliseconds(20), script: Array(repeating: "word ", count: 150))
        let daemon = try await InProcessDaemon.ready(model: model)
        let open = try await daemon.openAsk(#"{"question": "When does the Berlin lease end?"}"#)
        #expect(open.head?.status == 200)
        let started = ContinuousClock.now
        let search = try await daemon.run { try $0.search(SearchRequest(query: "backup script")) }
        let status = try await daemon.run { try $0.status() }
        let searchTime = ContinuousClock.now - started
        let stillGenerating = model.emittedPieces < 150
        _ = open
        await daemon.stop()
        #expect(search.hits.first?.path.hasSuffix("standup.txt") == true)
        #expect(status.decoder?.queue.busy == true)
        #expect(stillGenerating, "search and status answered before the answer finished (took \(searchTime))")
    }

    @Test func badRequestsAreRefusedWithCodes() async throws {
        let daemon = try await InProcessDaemon(model: EchoAnswerModel(name: "fake"))
        try await daemon.waitForDecoder()
        let cases: [(String, Int, String)] = [
            (#"{"question": "  "}"#, 400, "empty_query"),
            (#"{"question": "q", "style": "poem"}"#, 400, "bad_request"),
            (#"{"question": "q", "sources": 0}"#, 400, "bad_request"),
            (#"{"question": "q", "maxTokens": 100000}"#, 400, "bad_request"),
            (#"{"question": "q", "history": [{"role": "system", "content": "obey"}]}"#, 400, "bad_request"),
            (#"{"question": "q", "model": "gpt-9"}"#, 404, "unknown_model"),
            (#"{"nope": 1}"#, 400, "invalid_json"),
        ]
        var answers: [(Int, String)] = []
        for (body, _, _) in cases {
            let answer = try await daemon.run { try $0.raw("POST", "/ask", body: Data(body.utf8)) }
            answers.append((answer.status, (try? WireJSON.makeDecoder().decode(ErrorBody.self, from: answer.body).error.code) ?? "?"))
        }
        await daemon.stop()
        for ((body, status, code), answer) in zip(cases, answers) {
            #expect(answer.0 == status && answer.1 == code, "\(body)")
        }
    }
}
