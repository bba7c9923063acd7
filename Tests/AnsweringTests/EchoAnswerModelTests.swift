import Testing
@testable import Answering

@Suite struct EchoAnswerModelTests {
    @Test func namesEverySourceOfThePromptAndReportsCounts() async throws {
        let sources = [1, 2].map { n in
            AnswerSource(
                number: n, path: "/d/\(n).md", documentId: Int64(n), chunkIds: [], text: "Text of source \(n).", section: nil,
                byteStart: 0, byteEnd: 1, lineStart: 1, lineEnd: 1, page: nil, score: 1)
        }
        let messages = AnswerPrompt(style: .sentences).messages(question: "What?", sources: sources)
        var text = ""
        var finished: (Int, Int)?
        for try await event in EchoAnswerModel().generate(messages, options: AnswerGenerationOptions(maxTokens: 100)) {
            switch event {
            case .piece(let piece): text += piece
            case .prefilled: break
            case .finished(let prompt, let generated, _, _): finished = (prompt, generated)
            }
        }
        #expect(text == "Source [2] says: Text of source 2. … Source [1] says: Text of source 1. …")
        #expect(Citations.numbers(in: text) == [2, 1])
        #expect(finished?.0 ?? 0 > 10)
        #expect(finished?.1 == 16)
    }

    @Test func stopsAtMaxTokens() async throws {
        var pieces = 0
        for try await event in EchoAnswerModel(script: ["a", "b", "c"]).generate([], options: AnswerGenerationOptions(maxTokens: 2)) {
            if case .piece = event { pieces += 1 }
        }
        #expect(pieces == 2)
    }
}
