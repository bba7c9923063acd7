import Foundation
import Generation

/// The one owner of the decoder's time. Every answer, grounded or plain chat, takes a place in its
/// queue, waits for its turn, and runs the model on a thread of its own while no other answer runs;
/// the turn passes on only when that thread is done, so the queue is the decoder's one serialiser.
/// `answer` is everything after retrieval as one stream of `AnswerEvent`s, which the daemon writes to
/// the wire as they come: the place in line while waiting, the model's text, then the checked outcome.
public final class AnswerService: Sendable {
    private let queue: AnswerQueue
    /// How often a waiting request is told its place again, besides each time it moves up.
    public let queueUpdateInterval: Duration
    /// The check after generation: which sources hold each sentence.
    public let verifier: CitationVerifier

    public init(queueCapacity: Int, queueUpdateInterval: Duration = .seconds(1), verifier: CitationVerifier = CitationVerifier()) {
        queue = AnswerQueue(capacity: queueCapacity)
        self.queueUpdateInterval = queueUpdateInterval
        self.verifier = verifier
    }

    /// How many requests may wait besides the one being answered.
    public var capacity: Int { queue.capacity }
    /// Whether a request is being answered, and how many wait.
    public var snapshot: (busy: Bool, waiting: Int) { queue.snapshot }

    /// Takes a place in line, or throws `queueFull` at once, and answers `prepared` in its turn. The
    /// stream reports the place while waiting, streams the model's text, and ends with `.done`; it
    /// throws `timedOutInQueue` if `deadline` comes before the turn, and `clientLeft` as soon as
    /// `watch` sees the client go. At `deadline` during generation the answer ends with what it has
    /// (`timeLimit`). Ending the stream stops the model before its next token.
    public func answer(
        _ prepared: PreparedAnswer, model: any AnswerModel, deadline: ContinuousClock.Instant, watch: (any AnswerWatch)? = nil
    ) throws(AnsweringError) -> AsyncThrowingStream<AnswerEvent, any Error> {
        let ticket = try queue.enqueue()
        let (events, continuation) = AsyncThrowingStream<AnswerEvent, any Error>.makeStream()
        let task = Task { await run(prepared, model: model, ticket: ticket, deadline: deadline, continuation: continuation) }
        let token = watch?.whenClientLeaves { continuation.finish(throwing: AnsweringError.clientLeft) }
        continuation.onTermination = { _ in
            task.cancel()
            watch?.cancel(token)
        }
        // Gone before the stream could say so: the action ran before there was a termination handler.
        if watch != nil, token == nil { task.cancel() }
        return events
    }

    private func run(
        _ prepared: PreparedAnswer, model: any AnswerModel, ticket: AnswerQueue.Ticket, deadline: ContinuousClock.Instant,
        continuation: AsyncThrowingStream<AnswerEvent, any Error>.Continuation
    ) async {
        let partial = PartialAnswer()
        let queued = ContinuousClock.now
        do {
            try await queue.waitForTurn(ticket, until: deadline, reportingEvery: queueUpdateInterval) { position in
                continuation.yield(.queued(position: position))
            }
        } catch {
            queue.finish(ticket)
            continuation.finish(throwing: error)
            return
        }
        partial.queueSeconds = Answerer.seconds(since: queued)
        // Set when the stream's reader goes (its task is cancelled, or a token finds no one to take it).
        let readerLeft = CancellationFlag()
        let generated: Result<Void, any Error> = await withTaskCancellationHandler {
            await Self.onDecoderThread {
                let started = ContinuousClock.now
                return Result<Void, any Error> {
                    try model.generate(
                        prepared.messages, options: prepared.options,
                        shouldStop: { readerLeft.isCancelled || ContinuousClock.now >= deadline }
                    ) { event in
                        partial.record(event, started: started)
                        guard case .text(let piece) = event, !piece.isEmpty else { return }
                        if case .terminated = continuation.yield(.token(piece)) { readerLeft.cancel() }
                    }
                }
            }
        } onCancel: {
            readerLeft.cancel()
        }
        queue.finish(ticket, decoderSeconds: Answerer.seconds(since: queued) - partial.queueSeconds)
        if case .failure(let error) = generated {
            continuation.finish(throwing: error as? AnsweringError ?? AnsweringError.generationFailed("\(error)"))
            return
        }
        let outcome = verifier.verified(partial.outcome(sources: prepared.sources, question: prepared.query), prepared: prepared)
        if outcome.isDeclined { continuation.yield(.token("\n\n" + Answerer.ungroundedText)) }
        continuation.yield(.done(outcome))
        continuation.finish()
    }

    /// Runs `work` on a thread of its own, since decoding holds its thread for seconds and the
    /// cooperative pool's few threads must not wait on it; returns when the thread is done.
    private static func onDecoderThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: work()) }
            thread.name = "sotto-answer"
            thread.start()
        }
    }
}
