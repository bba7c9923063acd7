import Generation
import Testing
@testable import Answering

@Suite struct EchoAnswerModelTests {
    @Test func namesEverySourceOfThePromptAndReportsCounts() {
        let sources = [1, 2].map { n in
            AnswerSource(
                number: n, path: "/d/\(n).md", documentId: Int64(n), chunkIds: [], text: "Text of source \(n).", section: nil,
                byteStart: 0, byteEnd: 1, lineStart: 1, lineEnd: 1, page: nil, score: 1)
        }
        let messages = AnswerPrompt(style: .sentences).messages(question: "What?", sources: sources)
        var text = ""
        var finished: GenerationSummary?
        EchoAnswerModel().generate(messages, options: GenerationOptions(maxTokens: 100), shouldStop: { false }) { event in
            switch event {
            case .text(let piece): text += piece
            case .prefilled: break
            case .finished(let summary): finished = summary
            }
        }
        #expect(text == "Source [2] says: Text of source 2. … Source [1] says: Text of source 1. …")
        #expect(Citations.numbers(in: text) == [2, 1])
        #expect(finished?.promptTokens ?? 0 > 10)
        #expect(finished?.generatedTokens == 16)
        #expect(finished?.stopReason == .endOfGeneration, "it said all it had")
    }

    @Test func stopsAtMaxTokens() {
        var pieces = 0
        var reason: StopReason?
        EchoAnswerModel(script: ["a", "b", "c"]).generate([], options: GenerationOptions(maxTokens: 2), shouldStop: { false }) { event in
            if case .text = event { pieces += 1 }
            if case .finished(let summary) = event { reason = summary.stopReason }
        }
        #expect(pieces == 2)
        #expect(reason == .maxTokens)
    }

    @Test func stopsWhenAskedAndSaysSo() {
        var pieces = 0
        var reason: StopReason?
        EchoAnswerModel(script: ["a", "b", "c"]).generate([], options: GenerationOptions(maxTokens: 10), shouldStop: { pieces == 1 }) { event in
            if case .text = event { pieces += 1 }
            if case .finished(let summary) = event { reason = summary.stopReason }
        }
        #expect(pieces == 1)
        #expect(reason == .interrupted)
    }
}
