import Foundation
import Testing
@testable import API

@Suite struct DecoderWaitTests {
    static func loading(_ model: String = "qwen2.5-coder-0.5b") -> [String] {
        let body = #"{"error":{"code":"decoder_loading","message":"the decoder \#(model) is loading; try again in a few seconds"}}"#
        return ["HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"]
    }

    static let answer: [String] = {
        let body = #"{"answer":"31 March 2027 [1]","citations":[],"invalidCitations":[],"abstained":false,"finishReason":"stop","model":"m","query":"q","counts":{"promptTokens":1,"generatedTokens":1,"sources":1},"timings":{"retrievalMs":1,"queueMs":0,"prefillMs":1,"decodeMs":1,"totalMs":3}}"#
        return ["HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"]
    }()

    @Test func asksAgainWhileTheDecoderLoadsAndSaysSoOnce() throws {
        let server = try FakeServer(responses: [Self.loading(), Self.loading(), Self.answer])
        let client = SottoClient(socketPath: server.path, timeout: 5)
        var notes: [String] = []
        let result = try client.waitingForDecoder(upTo: 10, pollInterval: 0.05, onWaiting: { notes.append($0) }) {
            try client.askWhole(AskRequest(question: "q"))
        }
        #expect(result.answer == "31 March 2027 [1]")
        #expect(server.connections == 3)
        #expect(notes == ["the decoder qwen2.5-coder-0.5b is loading; try again in a few seconds"])
    }

    @Test func givesUpWithTheLoadingErrorOnceTheTimeIsUp() throws {
        let server = try FakeServer(responses: Array(repeating: Self.loading(), count: 50))
        let client = SottoClient(socketPath: server.path, timeout: 5)
        let started = Date()
        #expect(throws: ClientError.server(
            status: 503, code: "decoder_loading", message: "the decoder qwen2.5-coder-0.5b is loading; try again in a few seconds")
        ) {
            try client.waitingForDecoder(upTo: 0.3, pollInterval: 0.1, onWaiting: { _ in }) { try client.askWhole(AskRequest(question: "q")) }
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed >= 0.3 && elapsed < 5, "\(elapsed) s")
        #expect(server.connections >= 2)
    }

    @Test func zeroSecondsAsksOnceAndOtherErrorsAreNotRetried() throws {
        let once = try FakeServer(responses: [Self.loading(), Self.answer])
        let client = SottoClient(socketPath: once.path, timeout: 5)
        var told = false
        #expect(throws: ClientError.self) {
            try client.waitingForDecoder(upTo: 0, onWaiting: { _ in told = true }) { try client.askWhole(AskRequest(question: "q")) }
        }
        #expect(!told)
        #expect(once.connections == 1)

        let body = #"{"error":{"code":"decoder_unavailable","message":"no decoder model is installed"}}"#
        let unavailable = try FakeServer(responses: [
            ["HTTP/1.1 503 Service Unavailable\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"], Self.answer,
        ])
        let other = SottoClient(socketPath: unavailable.path, timeout: 5)
        #expect(throws: ClientError.server(status: 503, code: "decoder_unavailable", message: "no decoder model is installed")) {
            try other.waitingForDecoder(upTo: 10, onWaiting: { _ in }) { try other.askWhole(AskRequest(question: "q")) }
        }
        #expect(unavailable.connections == 1)
    }
}
