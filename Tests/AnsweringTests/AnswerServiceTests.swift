import Foundation
import Testing
@testable import Answering

@Suite struct AnswerServiceTests {
    func collect(_ stream: AsyncThrowingStream<AnswerEvent, any Error>) async throws -> (tokens: [String], queued: [Int], outcome: AnswerOutcome?) {
        var tokens: [String] = [], queued: [Int] = []
        var outcome: AnswerOutcome?
        for try await event in stream {
            switch event {
            case .token(let text): tokens.append(text)
            case .queued(let position): queued.append(position)
            case .done(let result): outcome = result
            }
        }
        return (tokens, queued, outcome)
    }

    func prepare(_ question: String, model: EchoAnswerModel, allowsAbstention: Bool = true) async throws -> PreparedAnswer {
        let corpus = try await TestCorpus.make()
        defer { corpus.close() }
        return try await Answerer(searcher: corpus.searcher).prepare(
            AnswerRequest(question: question, allowsAbstention: allowsAbstention), model: model, visibility: .everything)
    }

    /// Waits (up to a generous bound, for a loaded machine) until no answer holds the decoder.
    func settled(_ service: AnswerService) async throws -> Bool {
        for _ in 0..<500 where service.snapshot.busy { try await Task.sleep(for: .milliseconds(20)) }
        return !service.snapshot.busy
    }

    @Test func streamsTokensThenTheOutcomeWithMappedCitations() async throws {
        let model = EchoAnswerModel(script: ["The lease ends", " on 28 February 2029", " [1].", " See also [7]."])
        let prepared = try await prepare("When does the Berlin lease end?", model: model)
        let service = AnswerService(queueCapacity: 2)
        let run = try await collect(service.answer(prepared, model: model, deadline: .now + .seconds(600)))
        #expect(run.tokens == ["The lease ends", " on 28 February 2029", " [1].", " See also [7]."])
        let outcome = try #require(run.outcome)
        #expect(outcome.answer == "The lease ends on 28 February 2029 [1]. See also [7].")
        #expect(outcome.citations.map(\.number) == [1])
        #expect(outcome.citations.first?.source.path == "/docs/contracts/berlin-lease.md")
        #expect(outcome.invalidCitations == [7])
        #expect(outcome.finishReason == .stop)
        #expect(outcome.generatedTokens == 4)
        #expect(outcome.firstTokenSeconds != nil)
        #expect(service.snapshot.busy == false, "the turn is given back before the outcome")
    }

    @Test func theStopReasonTheModelGivesIsTheOutcomes() async throws {
        let model = EchoAnswerModel(script: ["one", " two", " three"])
        var prepared = try await prepare("When does the Berlin lease end?", model: model)
        prepared.options.maxTokens = 2
        let outcome = try #require(try await collect(AnswerService(queueCapacity: 1).answer(prepared, model: model, deadline: .now + .seconds(600))).outcome)
        #expect(outcome.finishReason == .length)
        #expect(outcome.generatedTokens == 2)
    }

    @Test func theTimeLimitStopsTheAnswerWithWhatItHasSoFar() async throws {
        let model = EchoAnswerModel(tokenDelay: .milliseconds(20), script: Array(repeating: "word ", count: 1500))
        let prepared = try await prepare("When does the Berlin lease end?", model: model)
        let service = AnswerService(queueCapacity: 2)
        // On a loaded 2-core machine running every suite at once the answer's task has waited past a
        // 3 s limit before the model began (no piece, nothing to check): up to three tries, and the
        // checks apply to the first whose model got to run.
        var checked = false
        for _ in 0..<3 where !checked {
            let started = ContinuousClock.now
            let run = try await collect(service.answer(prepared, model: model, deadline: .now + .seconds(5)))
            let elapsed = ContinuousClock.now - started
            let outcome = try #require(run.outcome)
            // 1,500 pieces take 30 s; the limit stops them after about five.
            #expect(outcome.finishReason == .timeLimit)
            #expect(run.tokens.count < 1500)
            #expect(service.snapshot.busy == false)
            // What happened is reported by the model itself, which says it was interrupted.
            #expect(outcome.promptTokens == prepared.messages.reduce(0) { $0 + model.countTokens($1.content) })
            #expect(outcome.promptTokens > 0)
            guard outcome.generatedTokens > 0 else { continue }
            checked = true
            #expect(elapsed < .seconds(20))
            // Every piece streamed, and no more (a declined answer adds its statement as one more token).
            #expect(outcome.generatedTokens <= run.tokens.count)
            // The decode time is the model's own: at least the 20 ms each piece took, at most the wait.
            #expect(outcome.decodeSeconds >= Double(outcome.generatedTokens - 1) * 0.019, "\(outcome.decodeSeconds) s for \(outcome.generatedTokens) pieces")
            #expect(outcome.decodeSeconds <= Double(elapsed.components.seconds) + 1)
        }
        #expect(checked, "in three tries the model never got to run before the limit")
    }

    @Test func endingTheStreamStopsTheModelWithinOneToken() async throws {
        // 5,000 pieces (100 s) and a 120 s limit: a starved reader on a loaded machine must not see the
        // script end (500 pieces did, once) before it gets to leave.
        let model = EchoAnswerModel(tokenDelay: .milliseconds(20), script: Array(repeating: "word ", count: 5000))
        let prepared = try await prepare("When does the Berlin lease end?", model: model)
        let service = AnswerService(queueCapacity: 2)
        var received = 0
        for try await event in try service.answer(prepared, model: model, deadline: .now + .seconds(120)) {
            if case .token = event { received += 1 }
            if received == 5 { break }  // the consumer goes away, as a disconnected client's writer does
        }
        // The model does not wait for its reader (a loaded machine may let it run ahead): what counts
        // is that it stops within one token of the reader's leaving.
        let atLeaving = model.emittedPieces
        #expect(try await settled(service), "the turn is given back once the model has stopped")
        #expect(model.emittedPieces <= atLeaving + 1)
        #expect(model.emittedPieces < 5000)
    }

    @Test func aWaitingRequestIsToldItsPlaceAndAnsweredInTurn() async throws {
        let slow = EchoAnswerModel(tokenDelay: .milliseconds(100), script: ["Ada", " does."])
        let model = EchoAnswerModel(script: ["Grace does."])
        let prepared = try await prepare("Who reviews the backup script?", model: model)
        // No reports but the moves: the place is told when it changes.
        let service = AnswerService(queueCapacity: 2, queueUpdateInterval: .seconds(600))
        let first = try service.answer(prepared, model: slow, deadline: .now + .seconds(30))
        var queued: [Int] = []
        var outcome: AnswerOutcome?
        for try await event in try service.answer(prepared, model: model, deadline: .now + .seconds(30)) {
            switch event {
            case .queued(let position): queued.append(position)
            case .token:
                #expect(!queued.isEmpty, "no token before its turn")
                #expect(slow.emittedPieces == 2, "the answer ahead has finished")
            case .done(let result): outcome = result
            }
        }
        #expect(queued == [1])
        #expect(outcome?.answer == "Grace does.")
        #expect((outcome?.queueSeconds ?? -1) > 0)
        _ = try await collect(first)
    }

    @Test func aRequestThatWaitsPastItsTimeLimitFails() async throws {
        let slow = EchoAnswerModel(tokenDelay: .milliseconds(50), script: Array(repeating: "word ", count: 100))
        let model = EchoAnswerModel(script: ["ok"])
        let prepared = try await prepare("Who reviews the backup script?", model: model)
        let service = AnswerService(queueCapacity: 2)
        let first = try service.answer(prepared, model: slow, deadline: .now + .seconds(30))
        await #expect {
            _ = try await collect(service.answer(prepared, model: model, deadline: .now + .milliseconds(150)))
        } throws: { error in
            if case .timedOutInQueue = error as? AnsweringError { return true }
            return false
        }
        #expect(service.snapshot.waiting == 0, "it left the line")
        #expect(model.emittedPieces == 0)
        for try await _ in first { break }
    }

    @Test func aClientThatLeavesEndsTheAnswerAtOnce() async throws {
        let model = EchoAnswerModel(tokenDelay: .milliseconds(20), script: Array(repeating: "word ", count: 5000))
        let prepared = try await prepare("When does the Berlin lease end?", model: model)
        let service = AnswerService(queueCapacity: 2)
        let watch = TestWatch()
        var atLeaving = 0
        await #expect(throws: AnsweringError.clientLeft) {
            var received = 0
            for try await event in try service.answer(prepared, model: model, deadline: .now + .seconds(120), watch: watch) {
                if case .token = event { received += 1 }
                if received == 3 {
                    atLeaving = model.emittedPieces
                    watch.leave()
                }
            }
        }
        #expect(try await settled(service))
        // Measured from the leaving, as above: the model may have run ahead of a starved reader.
        #expect(model.emittedPieces <= atLeaving + 1)
        #expect(model.emittedPieces < 5000)
    }

    // MARK: - The citation check after generation

    /// An answer of `script` to `question`. Its deadline is far: these tests are about the check, and a
    /// loaded 2-core run of the whole suite once took 42 s to reach the model (a 10 s deadline left it no tokens).
    func run(_ script: [String], question: String, allowsAbstention: Bool = true) async throws -> (tokens: [String], outcome: AnswerOutcome) {
        let model = EchoAnswerModel(script: script)
        let prepared = try await prepare(question, model: model, allowsAbstention: allowsAbstention)
        let run = try await collect(AnswerService(queueCapacity: 2).answer(prepared, model: model, deadline: .now + .seconds(600)))
        return (run.tokens, try #require(run.outcome))
    }

    @Test func theOutcomeCarriesTheVerifiedCitationWhenTheModelCitedTheWrongSource() async throws {
        let (_, outcome) = try await run(["The lease ends on 28 February 2029 [2]."], question: "When does the Berlin lease end?")
        let check = try #require(outcome.check)
        #expect(check.sentences.first?.cited == [2])
        let citation = try #require(outcome.citations.first)
        #expect(outcome.citations.count == 1)
        #expect(citation.source.path == "/docs/contracts/berlin-lease.md")
        #expect(check.sentences.first?.verified == [citation.number])
        let quote = try #require(citation.quote)
        #expect(String(decoding: Array(citation.source.text.utf8)[quote], as: UTF8.self).contains("28 February 2029"))
        #expect(!outcome.isDeclined)
    }

    @Test func anAnswerNoSourceHoldsIsFollowedByTheStatementThatTheDocumentsDoNotSay() async throws {
        let answer = "The deposit for the Berlin office was 4,200 euros [1]."
        let (tokens, outcome) = try await run([answer], question: "How much was the deposit for the Berlin office?")
        #expect(tokens == [answer, "\n\n" + Answerer.ungroundedText])
        #expect(outcome.isDeclined)
        #expect(outcome.citations.isEmpty)
        #expect(outcome.check?.sentences.first?.isSupported == false)
        // Not streamed: the statement replaces the model's words, which stay in the draft.
        let (whole, draft) = outcome.replacingDeclinedAnswer()
        #expect(whole.answer == Answerer.abstentionText)
        #expect(draft == answer)
    }

    @Test func aRequestThatForbidsAbstainingIsNotDeclinedEither() async throws {
        let answer = "The deposit for the Berlin office was 4,200 euros [1]."
        let (tokens, outcome) = try await run([answer], question: "How much was the deposit for the Berlin office?", allowsAbstention: false)
        #expect(tokens == [answer])
        #expect(!outcome.isDeclined)
        #expect(outcome.check?.isGrounded == false, "still checked")
    }
}

/// A client whose leaving the test decides.
final class TestWatch: AnswerWatch, @unchecked Sendable {
    private let lock = NSLock()
    private var action: (@Sendable () -> Void)?

    func whenClientLeaves(_ action: @escaping @Sendable () -> Void) -> Int? {
        lock.withLock { self.action = action }
        return 1
    }

    func cancel(_ token: Int?) {
        lock.withLock { action = nil }
    }

    func leave() {
        let action = lock.withLock { self.action }
        action?()
    }
}
