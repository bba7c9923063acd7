import Synchronization

/// One decoder, many clients: answers take turns, first come first served. One request is answered
/// at a time; up to `capacity` more wait in line, and a request beyond that is refused at once with
/// an estimate of when to retry, so a busy daemon stays responsive instead of piling up work.
public final class AnswerQueue: Sendable {
    /// A place in line, from `enqueue()`; give it back with `finish(_:)` whatever happens.
    public struct Ticket: Sendable, Hashable {
        let id: UInt64
    }

    private struct State {
        var nextId: UInt64 = 1
        var active: UInt64?
        var line: [UInt64] = []
        var waiting: [UInt64: CheckedContinuation<Void, any Error>] = [:]
        /// Moving average of an answer's decoder time, for Retry-After.
        var averageSeconds = 10.0
    }

    /// How many requests may wait (not counting the one being answered).
    public let capacity: Int
    private let state = Mutex(State())

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// Takes a place in line without waiting; throws `queueFull` when every place is taken.
    public func enqueue() throws(AnsweringError) -> Ticket {
        let result: Result<Ticket, AnsweringError> = state.withLock { state in
            if state.active != nil && state.line.count >= capacity {
                let seconds = state.averageSeconds * Double(state.line.count + 1)
                return .failure(.queueFull(retryAfterSeconds: min(600, max(1, Int(seconds.rounded(.up))))))
            }
            let id = state.nextId
            state.nextId += 1
            if state.active == nil { state.active = id } else { state.line.append(id) }
            return .success(Ticket(id: id))
        }
        return try result.get()
    }

    /// Returns when it is this ticket's turn at the decoder. Throws `CancellationError` if the task is
    /// cancelled first (the ticket then has no place; `finish` is still safe to call).
    public func waitForTurn(_ ticket: Ticket) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Void, any Error>? = state.withLock { state in
                    if state.active == ticket.id { return .success(()) }
                    if state.line.contains(ticket.id) {
                        state.waiting[ticket.id] = continuation
                        return nil
                    }
                    return .failure(CancellationError())
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            leave(ticket)
        }
    }

    /// Requests ahead of this ticket: 0 when it is being answered, nil when it has no place.
    public func position(of ticket: Ticket) -> Int? {
        state.withLock { state in
            if state.active == ticket.id { return 0 }
            return state.line.firstIndex(of: ticket.id).map { $0 + 1 }
        }
    }

    /// Whether a request is being answered, and how many wait.
    public var snapshot: (busy: Bool, waiting: Int) {
        state.withLock { ($0.active != nil, $0.line.count) }
    }

    /// Gives the place back: the decoder passes to the next in line. `decoderSeconds`, when the
    /// ticket was answered, updates the Retry-After estimate.
    public func finish(_ ticket: Ticket, decoderSeconds: Double? = nil) {
        let next: CheckedContinuation<Void, any Error>? = state.withLock { state in
            if let decoderSeconds, decoderSeconds > 0 {
                state.averageSeconds = 0.7 * state.averageSeconds + 0.3 * decoderSeconds
            }
            if state.active == ticket.id {
                state.active = nil
                guard !state.line.isEmpty else { return nil }
                let id = state.line.removeFirst()
                state.active = id
                return state.waiting.removeValue(forKey: id)
            }
            state.line.removeAll { $0 == ticket.id }
            return nil
        }
        next?.resume()
        leave(ticket)
    }

    /// Takes a waiting ticket out of line and wakes its waiter with `CancellationError`.
    private func leave(_ ticket: Ticket) {
        let waiter: CheckedContinuation<Void, any Error>? = state.withLock { state in
            guard state.active != ticket.id else { return nil }
            state.line.removeAll { $0 == ticket.id }
            return state.waiting.removeValue(forKey: ticket.id)
        }
        waiter?.resume(throwing: CancellationError())
    }
}
