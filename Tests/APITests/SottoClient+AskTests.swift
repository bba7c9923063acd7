import Foundation
import Testing
@testable import API

@Suite struct AskClientTests {
    @Test func streamsAnswerEventsInOrder() throws {
        let lines = [
            #"{"event":"sources","query":"q","abstained":false,"sources":[{"number":1,"path":"/d/a.md","documentId":3,"chunkIds":[7],"byteStart":0,"byteEnd":5,"lineStart":1,"lineEnd":2,"score":0.5,"text":"hello"}]}"#,
            #"{"event":"queued","position":1}"#,
            #"{"event":"token","text":"Hi"}"#,
            #"{"event":"token","text":" [1]"}"#,
            #"{"event":"done","answer":"Hi [1]","citations":[{"number":1,"path":"/d/a.md","documentId":3,"byteStart":0,"byteEnd":5,"lineStart":1,"lineEnd":2}],"invalidCitations":[4],"abstained":false,"finishReason":"stop","model":"m","query":"q","counts":{"promptTokens":10,"generatedTokens":2,"sources":1},"timings":{"retrievalMs":1,"queueMs":0,"prefillMs":2,"decodeMs":3,"firstTokenMs":4,"totalMs":5,"tokensPerSecond":6}}"#,
        ].map { $0 + "\n" }
        let server = try FakeServer(response: ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"]
            + lines.map { String($0.utf8.count, radix: 16) + "\r\n" + $0 + "\r\n" } + ["0\r\n\r\n"])
        var events: [AskEvent] = []
        try SottoClient(socketPath: server.path, timeout: 5).ask(AskRequest(question: "q", sources: 3)) { events.append($0) }
        #expect(server.received.hasPrefix("POST /v1/ask HTTP/1.1\r\n"))
        #expect(server.received.contains(#""stream":true"#))
        #expect(server.received.contains(#""sources":3"#))
        #expect(events.count == 5)
        guard case .sources(_, let sources, false) = events[0], case .done(let result) = events[4] else {
            Issue.record("\(events)")
            return
        }
        #expect(sources.first?.page == nil && sources.first?.documentId == 3)
        #expect(events[1] == .queued(position: 1))
        #expect(events[2] == .token("Hi"))
        #expect(result.citations.first?.lineEnd == 2)
        #expect(result.invalidCitations == [4])
        #expect(result.timings.tokensPerSecond == 6)
    }

    @Test func eventsRoundTripAsFlatObjectsWithAnEventField() throws {
        let events: [AskEvent] = [
            .token("x"), .queued(position: 2), .error(code: "time_limit", message: "m"),
            .sources(query: "q", sources: [], abstained: true),
            .done(AskResult(
                answer: "a", citations: [], invalidCitations: [], abstained: false, finishReason: "length", model: nil, query: "q",
                relevance: AskRelevance(cosine: 0.4, coverage: 1), counts: AskCounts(promptTokens: 1, generatedTokens: 2, sources: 0),
                timings: AskTimings(retrievalMs: 1, queueMs: 0, prefillMs: 0, decodeMs: 0, firstTokenMs: nil, totalMs: 1, tokensPerSecond: nil),
                sources: nil)),
        ]
        for event in events {
            let data = try WireJSON.makeEncoder().encode(event)
            #expect(try WireJSON.makeDecoder().decode(AskEvent.self, from: data) == event)
        }
        #expect(String(decoding: try WireJSON.makeEncoder().encode(AskEvent.token("x")), as: UTF8.self) == #"{"event":"token","text":"x"}"#)
        #expect(throws: DecodingError.self) { try WireJSON.makeDecoder().decode(AskEvent.self, from: Data(#"{"event":"poem"}"#.utf8)) }
    }

    @Test func aFullQueueIsAServerErrorWithItsCode() throws {
        let body = #"{"error":{"code":"queue_full","message":"the decoder is busy"}}"#
        let server = try FakeServer(response: ["HTTP/1.1 503 Service Unavailable\r\nRetry-After: 20\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"])
        #expect(throws: ClientError.server(status: 503, code: "queue_full", message: "the decoder is busy")) {
            try SottoClient(socketPath: server.path, timeout: 5).ask(AskRequest(question: "q")) { _ in }
        }
    }
}
