import Foundation
public import Generation
public import Retrieval
import Storage
import Synchronization

/// Grounded answers: finds the sources, decides whether they are relevant enough to answer from,
/// renders the prompt, runs the model in its turn, and maps the citations back to the files.
public struct Answerer: Sendable {
    public let searcher: Searcher
    public var abstention: AbstentionPolicy
    /// Chunks retrieved to choose from (the budget may leave some out).
    public var candidateCount: Int
    /// Share of the context window the earlier turns of a chat may take.
    public var historyShare = 0.25
    /// How often a waiting request is told its place (which also notices a client that has gone).
    public var queueUpdateInterval: Duration = .seconds(1)
    /// The check after generation: which sources hold each sentence.
    public var verifier = CitationVerifier()

    public static let abstentionText =
        "The indexed documents do not seem to contain the answer. The closest passages are listed below."
    /// What follows a streamed answer that no source holds.
    public static let ungroundedText =
        "None of the sources says this: the indexed documents do not seem to contain the answer. The closest passages are listed below."

    public init(searcher: Searcher, abstention: AbstentionPolicy = .calibrated, candidateCount: Int = 20) {
        self.searcher = searcher
        self.abstention = abstention
        self.candidateCount = candidateCount
    }

    /// Retrieval, abstention and the prompt. `model` sizes the sources to its window; without one
    /// (still loading, or none installed) a rough measure stands in, which is enough to abstain.
    /// Only documents `visibility` allows are searched, so sources, relevance and abstention are
    /// the caller's own.
    public func prepare(_ request: AnswerRequest, model: (any AnswerModel)?, visibility: DocumentVisibility) async throws
        -> PreparedAnswer
    {
        let started = ContinuousClock.now
        let question = request.question.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !question.isEmpty else { throw AnsweringError.emptyQuestion }
        let countTokens: (String) -> Int = { text in model?.countTokens(text) ?? (text.utf8.count / 3 + 1) }
        let contextTokens = model?.contextTokens ?? 4096
        let prompt = AnswerPrompt(style: request.style)
        let history = Self.fit(request.history, within: Int(Double(contextTokens) * historyShare), countTokens: countTokens)
        let fixed = countTokens(prompt.systemPrompt) + countTokens(question) + history.map { countTokens($0.content) + 8 }.reduce(0, +)
        let maxTokens = max(1, min(request.maxTokens, contextTokens / 2))
        let budget = max(0, contextTokens - maxTokens - fixed - 64)
        let options = GenerationOptions(maxTokens: maxTokens, sampling: SamplingOptions(temperature: Float(request.temperature)))

        if let supplied = request.suppliedPassages {
            // Supplied passages are not chosen to fit, so the whole prompt must: refused here, not
            // failed by the decoder after a wait in its queue.
            let suppliedTokens = supplied.reduce(0) { $0 + countTokens($1.title) + countTokens($1.text) + 8 }
            guard suppliedTokens <= budget else { throw AnsweringError.contextTooLarge(tokens: suppliedTokens, available: budget) }
            let sources = SourceSelector.supplied(supplied)
            return PreparedAnswer(
                query: question, sources: sources, messages: prompt.messages(question: question, sources: sources, history: history),
                options: options, relevance: nil, isAbstaining: false, retrievalSeconds: Self.seconds(since: started),
                style: request.style, allowsDeclining: request.allowsAbstention)
        }
        let query = QueryRewriter.standalone(question, history: request.history)
        let found: SearchResult
        do {
            found = try await searcher.search(query, mode: .hybrid, limit: max(candidateCount, request.sourceCount), pathPrefix: request.pathPrefix, visibility: visibility)
        } catch StoreError.emptyQuery {
            throw AnsweringError.emptyQuestion
        }
        let hits = found.hits
        let sources = SourceSelector(maximumChunks: request.sourceCount, tokenBudget: budget).select(hits, countTokens: countTokens)
        // Both signals come from the search that just ran: one embedding and one scan per question.
        let relevance = Relevance(cosine: found.bestCosine, coverage: Relevance.coverage(of: query, by: hits.prefix(5).map(\.text)))
        let isAbstaining = request.allowsAbstention && (sources.isEmpty || abstention.shouldAbstain(relevance))
        return PreparedAnswer(
            query: query, sources: sources, messages: prompt.messages(question: question, sources: sources, history: history),
            options: options, relevance: relevance, isAbstaining: isAbstaining, retrievalSeconds: Self.seconds(since: started),
            style: request.style, allowsDeclining: request.allowsAbstention)
    }

    /// The answer to a prepared question: waits for its turn in `queue` (reporting its place), then
    /// streams the model's pieces and ends with the outcome. Stops at `deadline`; ending the stream
    /// (a client that disconnects) cancels the generation. Always gives `ticket` back.
    public func answer(
        _ prepared: PreparedAnswer, model: any AnswerModel, queue: AnswerQueue, ticket: AnswerQueue.Ticket,
        deadline: ContinuousClock.Instant
    ) -> AsyncThrowingStream<AnswerEvent, any Error> {
        let interval = queueUpdateInterval
        return AsyncThrowingStream { continuation in
            let task = Task {
                let partial = PartialAnswer()
                do {
                    let queued = ContinuousClock.now
                    try await Self.waitForTurn(queue: queue, ticket: ticket, deadline: deadline, interval: interval, continuation: continuation)
                    partial.queueSeconds = Self.seconds(since: queued)
                    let finished = await Self.race(until: deadline) {
                        try await Self.generate(prepared, model: model, partial: partial, continuation: continuation)
                    }
                    queue.finish(ticket, decoderSeconds: Self.seconds(since: queued) - partial.queueSeconds)
                    if case .failure(let error) = finished { throw error }
                    if case .success(nil) = finished { partial.stopped(reason: .timeLimit) }
                    let outcome = verifier.verified(partial.outcome(sources: prepared.sources, question: prepared.query), prepared: prepared)
                    if outcome.isDeclined { continuation.yield(.token("\n\n" + Self.ungroundedText)) }
                    continuation.yield(.done(outcome))
                    continuation.finish()
                } catch {
                    queue.finish(ticket)
                    continuation.finish(throwing: error is CancellationError || error is AnsweringError
                        ? error : AnsweringError.generationFailed("\(error)"))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The outcome when the model is not asked.
    public func abstained(_ prepared: PreparedAnswer) -> AnswerOutcome {
        AnswerOutcome(
            answer: Self.abstentionText, citations: [], invalidCitations: [], finishReason: .abstained, promptTokens: 0,
            generatedTokens: 0, queueSeconds: 0, prefillSeconds: 0, decodeSeconds: 0, firstTokenSeconds: nil)
    }

    // MARK: - Steps

    /// Polls for the turn (the queue promotes in order; a poll costs nothing) and reports the place
    /// when it changes and at every interval, whose writes notice a client that has gone.
    private static func waitForTurn(
        queue: AnswerQueue, ticket: AnswerQueue.Ticket, deadline: ContinuousClock.Instant, interval: Duration,
        continuation: AsyncThrowingStream<AnswerEvent, any Error>.Continuation
    ) async throws {
        let started = ContinuousClock.now
        var reported: (position: Int, at: ContinuousClock.Instant)?
        while true {
            guard let position = queue.position(of: ticket) else { throw CancellationError() }
            if position == 0 { return }
            let now = ContinuousClock.now
            if now >= deadline { throw AnsweringError.timedOutInQueue(seconds: seconds(since: started)) }
            if reported == nil || reported?.position != position || now - (reported?.at ?? now) >= interval {
                continuation.yield(.queued(position: position))
                reported = (position, now)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private static func generate(
        _ prepared: PreparedAnswer, model: any AnswerModel, partial: PartialAnswer,
        continuation: AsyncThrowingStream<AnswerEvent, any Error>.Continuation
    ) async throws {
        let started = ContinuousClock.now
        for try await event in model.generate(prepared.messages, options: prepared.options) {
            try Task.checkCancellation()
            switch event {
            case .prefilled(let promptTokens, let prefillSeconds):
                partial.prefilled(promptTokens: promptTokens, prefillSeconds: prefillSeconds, at: ContinuousClock.now)
            case .text(let text):
                if partial.firstTokenSeconds == nil { partial.firstTokenSeconds = seconds(since: started) }
                partial.append(text)
                if !text.isEmpty { continuation.yield(.token(text)) }
            case .finished(let summary):
                partial.finish(
                    promptTokens: summary.promptTokens, generatedTokens: summary.generatedTokens, prefillSeconds: summary.prefillSeconds,
                    decodeSeconds: summary.decodeSeconds, reason: FinishReason(summary.stopReason))
            }
        }
    }

    /// Runs `work` until it ends or `deadline` passes; nil when the deadline came first (the work is
    /// cancelled and awaited).
    private static func race<T: Sendable>(
        until deadline: ContinuousClock.Instant, _ work: @escaping @Sendable () async throws -> T
    ) async -> Result<T?, any Error> {
        await withTaskGroup(of: Result<T?, any Error>?.self) { group in
            group.addTask {
                do { return .success(try await work()) } catch { return .failure(error) }
            }
            group.addTask {
                do {
                    try await Task.sleep(until: deadline)
                    return .success(nil)
                } catch {
                    return nil  // cancelled because the work ended first
                }
            }
            var first: Result<T?, any Error>?
            while first == nil, let next = await group.next() { first = next }
            group.cancelAll()
            return first ?? .failure(CancellationError())
        }
    }

    /// The most recent turns that fit in `tokens`, oldest first.
    static func fit(_ history: [ChatMessage], within tokens: Int, countTokens: (String) -> Int) -> [ChatMessage] {
        var kept: [ChatMessage] = []
        var spent = 0
        for message in history.reversed() where message.role != .system {
            let cost = countTokens(message.content) + 8
            guard spent + cost <= tokens else { break }
            spent += cost
            kept.insert(message, at: 0)
        }
        return kept
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let (whole, fraction) = (ContinuousClock.now - start).components
        return Double(whole) + Double(fraction) / 1e18
    }
}

/// The answer as it grows, shared between the generating task and the one that reports it.
final class PartialAnswer: Sendable {
    private struct State {
        var text = ""
        var pieces = 0
        var promptTokens = 0
        var generatedTokens: Int?
        var prefillSeconds = 0.0
        var decodeSeconds = 0.0
        var firstTokenSeconds: Double?
        var decodeStarted: ContinuousClock.Instant?
        var queueSeconds = 0.0
        var reason = FinishReason.stop
    }
    private let state = Mutex(State())

    var firstTokenSeconds: Double? {
        get { state.withLock { $0.firstTokenSeconds } }
        set { state.withLock { $0.firstTokenSeconds = newValue } }
    }
    var queueSeconds: Double {
        get { state.withLock { $0.queueSeconds } }
        set { state.withLock { $0.queueSeconds = newValue } }
    }
    var reason: FinishReason {
        get { state.withLock { $0.reason } }
        set { state.withLock { $0.reason = newValue } }
    }

    func append(_ piece: String) {
        state.withLock {
            $0.text += piece
            $0.pieces += 1
        }
    }

    /// What is known once the prompt is read; `decodeStarted` lets an answer cut short by its time
    /// limit report how long it decoded.
    func prefilled(promptTokens: Int, prefillSeconds: Double, at decodeStarted: ContinuousClock.Instant) {
        state.withLock {
            $0.promptTokens = promptTokens
            $0.prefillSeconds = prefillSeconds
            $0.decodeStarted = decodeStarted
        }
    }

    /// The answer was stopped before the model finished (its time limit): the decode time is what passed.
    func stopped(reason: FinishReason) {
        state.withLock {
            $0.reason = reason
            if $0.generatedTokens == nil, let started = $0.decodeStarted {
                $0.decodeSeconds = Answerer.seconds(since: started)
            }
        }
    }

    func finish(promptTokens: Int, generatedTokens: Int, prefillSeconds: Double, decodeSeconds: Double, reason: FinishReason) {
        state.withLock {
            $0.promptTokens = promptTokens
            $0.generatedTokens = generatedTokens
            $0.prefillSeconds = prefillSeconds
            $0.decodeSeconds = decodeSeconds
            $0.reason = reason
        }
    }

    func outcome(sources: [AnswerSource], question: String) -> AnswerOutcome {
        let state = state.withLock { $0 }
        let answer = state.text.trimmingCharacters(in: .whitespacesAndNewlines)
        let (citations, invalid) = Citations.resolve(answer, sources: sources)
        return AnswerOutcome(
            answer: answer, citations: citations, invalidCitations: invalid, finishReason: state.reason,
            promptTokens: state.promptTokens, generatedTokens: state.generatedTokens ?? state.pieces,
            queueSeconds: state.queueSeconds, prefillSeconds: state.prefillSeconds, decodeSeconds: state.decodeSeconds,
            firstTokenSeconds: state.firstTokenSeconds,
            warning: InjectionCheck.warning(answer: answer, question: question, sources: sources))
    }
}
