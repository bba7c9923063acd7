import Answering
import Foundation
import Testing
@testable import API
@testable import Daemon

/// `/v1/chat/completions` over the socket with a stand-in decoder whose speed the test chooses: the
/// same answer path as `/v1/ask` (queue, citations, a client that leaves), in OpenAI's shapes.
struct APIResponderOpenAITests {
    static let question = #""messages": [{"role": "user", "content": "When does the Berlin lease end?"}]"#

    @Test func aGroundedCompletionCarriesTheCitationsOfAsk() async throws {
        let daemon = try await InProcessDaemon.ready(model: EchoAnswerModel(name: "fake"))
        let body = Data(#"{"model": "sotto", \#(Self.question)}"#.utf8)
        let answer = try await daemon.run { try $0.raw("POST", "/chat/completions", body: body) }
        let ask = try await daemon.run { try $0.askWhole(AskRequest(question: "When does the Berlin lease end?")) }
        await daemon.stop()
        #expect(answer.status == 200)
        let completion = try WireJSON.makeDecoder().decode(OpenAIChatCompletion.self, from: answer.body)
        #expect(completion.object == "chat.completion" && completion.model == "sotto")
        #expect(completion.choices.first?.message.content == ask.answer, "one answer path")
        #expect(completion.choices.first?.finishReason == "stop")
        #expect(completion.sotto?.citations == ask.citations)
        #expect(completion.sotto?.citations.isEmpty == false)
        #expect(completion.usage.completionTokens == ask.counts.generatedTokens)
    }

    @Test func aFullQueueIs503WithRetryAfterInOpenAIShape() async throws {
        let model = EchoAnswerModel(name: "fake", tokenDelay: .milliseconds(50), script: Array(repeating: "word ", count: 100))
        let daemon = try await InProcessDaemon.ready(model: model, decoderConfig: "queue_size = 0")
        let busy = try await daemon.openAsk(#"{"question": "When does the Berlin lease end?"}"#)
        let body = Data(#"{"model": "fake", \#(Self.question)}"#.utf8)
        let refused = try await daemon.run { try $0.raw("POST", "/chat/completions", body: body) }
        _ = busy
        await daemon.stop()
        #expect(refused.status == 503)
        #expect(Int(refused.head.header("Retry-After") ?? "") ?? 0 >= 1)
        let error = try WireJSON.makeDecoder().decode(OpenAIErrorBody.self, from: refused.body).error
        #expect(error.code == "queue_full" && error.type == "server_error")
    }

    @Test func aStreamingClientThatLeavesStopsItsGenerationWithinOneToken() async throws {
        let model = EchoAnswerModel(name: "fake", tokenDelay: .milliseconds(30), script: Array(repeating: "word ", count: 300))
        let daemon = try await InProcessDaemon.ready(model: model)
        let socketPath = daemon.socketPath
        let events = try await daemon.run { _ in
            let connection = try UnixHTTPConnection(socketPath: socketPath, timeout: 20)
            try connection.send(
                method: "POST", path: "/v1/chat/completions", body: Data(#"{"model": "fake", "stream": true, \#(Self.question)}"#.utf8))
            let head = try connection.readHead()
            var text = ""
            struct Enough: Error {}
            do {
                try connection.readBody(head: head) { bytes in
                    text += String(decoding: bytes, as: UTF8.self)
                    if text.components(separatedBy: "\"content\":\"word \"").count > 5 { throw Enough() }
                }
            } catch is Enough {}
            return (head.header("Content-Type"), text)
        }  // the connection is closed once this returns
        #expect(events.0 == "text/event-stream")
        #expect(events.1.hasPrefix(#"data: {"choices":[{"delta":{"content":"","role":"assistant"},"finish_reason":null,"index":0}]"#), "\(events.1.prefix(200))")
        let atClose = model.emittedPieces
        try await Task.sleep(for: .milliseconds(400))  // more than ten token times
        let later = model.emittedPieces
        let status = try await daemon.run { try $0.status() }
        await daemon.stop()
        #expect(later - atClose <= 1, "\(later - atClose) pieces after the client left")
        #expect(later < 300)
        #expect(status.decoder?.queue.busy == false)
    }
}
