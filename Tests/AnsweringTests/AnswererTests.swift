import Foundation
import Testing
@testable import Answering

@Suite struct AnswererTests {
    @Test func preparesNumberedSourcesAndAPromptFromTheSearch() async throws {
        let corpus = try await TestCorpus.make()
        defer { corpus.close() }
        let answerer = Answerer(searcher: corpus.searcher)
        let prepared = try await answerer.prepare(AnswerRequest(question: "When does the Berlin lease end?"), model: EchoAnswerModel(), visibility: .everything)
        #expect(!prepared.isAbstaining)
        let best = try #require(prepared.sources.first)
        #expect(best.path == "/docs/contracts/berlin-lease.md")
        // The lease's chunks are adjacent: they come merged into one source.
        #expect(best.chunkIds.count >= 2)
        #expect(best.text.contains("28 February 2029"))
        #expect(prepared.messages.last?.content.contains("Question: When does the Berlin lease end?") == true)
        #expect(prepared.relevance?.cosine == nil)
        #expect((prepared.relevance?.coverage ?? 0) == 1)
    }

    @Test func abstainsWhenNothingRelevantIsFound() async throws {
        let corpus = try await TestCorpus.make()
        defer { corpus.close() }
        let answerer = Answerer(searcher: corpus.searcher)
        let prepared = try await answerer.prepare(AnswerRequest(question: "What is the airspeed of an unladen swallow in Berlin?"), model: nil, visibility: .everything)
        #expect(prepared.isAbstaining)
        #expect(!prepared.sources.isEmpty, "the closest passages are still shown")
        #expect(answerer.abstained(prepared).finishReason == .abstained)
        let forced = try await answerer.prepare(
            AnswerRequest(question: "What is the airspeed of an unladen swallow in Berlin?", allowsAbstention: false), model: nil, visibility: .everything)
        #expect(!forced.isAbstaining)
    }

    @Test func suppliedPassagesAreUsedInsteadOfSearching() async throws {
        let corpus = try await TestCorpus.make()
        defer { corpus.close() }
        let request = AnswerRequest(question: "Who won?", style: .short, suppliedPassages: [SuppliedPassage(title: "Super Bowl 50", text: "The Broncos won.")])
        let prepared = try await Answerer(searcher: corpus.searcher).prepare(request, model: EchoAnswerModel(), visibility: .everything)
        #expect(prepared.sources.map(\.path) == ["Super Bowl 50"])
        #expect(prepared.relevance == nil && !prepared.isAbstaining)
        #expect(prepared.messages.first?.content.contains("the shortest exact answer phrase, copied word for word from a source") == true)
    }
}
