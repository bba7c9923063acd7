import Dispatch
import Synchronization

/// One decoder, many clients: answers take turns, first come first served. One request is answered
/// at a time; up to `capacity` more wait in line, and a request beyond that is refused at once with
/// an estimate of when to retry, so a busy daemon stays responsive instead of piling up work.
/// A waiter sleeps until the line moves, its report is due or its time is up: nothing polls.
public final class AnswerQueue: Sendable {
    /// A place in line, from `enqueue()`; give it back with `finish(_:)` whatever happens.
    public struct Ticket: Sendable, Hashable {
        let id: UInt64
    }

    private struct Sleeper {
        /// Which wait of the ticket this is, so that a late timer does not wake the next one.
        var wait: UInt64
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var nextId: UInt64 = 1
        var active: UInt64?
        var line: [UInt64] = []
        var sleepers: [UInt64: Sleeper] = [:]
        var nextWait: UInt64 = 1
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

    /// Returns when it is this ticket's turn at the decoder. While it waits, `onPosition` hears the
    /// requests ahead: at once, whenever the line moves, and again every `interval` (a client reading
    /// with a timeout hears from the daemon). Throws `timedOutInQueue` at `deadline` and
    /// `CancellationError` if the task is cancelled first; the ticket then has no place (`finish` is
    /// still safe to call).
    public func waitForTurn(
        _ ticket: Ticket, until deadline: ContinuousClock.Instant = .now + .seconds(86_400),
        reportingEvery interval: Duration = .seconds(1), onPosition: (Int) -> Void = { _ in }
    ) async throws {
        let started = ContinuousClock.now
        try await withTaskCancellationHandler {
            while true {
                guard let position = position(of: ticket) else { throw CancellationError() }
                if position == 0 { return }
                let now = ContinuousClock.now
                if now >= deadline {
                    leave(ticket)
                    throw AnsweringError.timedOutInQueue(seconds: Answerer.seconds(since: started))
                }
                onPosition(position)
                await sleep(ticket, until: min(deadline, now + interval))
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
        let woken: [CheckedContinuation<Void, Never>] = state.withLock { state in
            if let decoderSeconds, decoderSeconds > 0 {
                state.averageSeconds = 0.7 * state.averageSeconds + 0.3 * decoderSeconds
            }
            if state.active == ticket.id {
                state.active = state.line.isEmpty ? nil : state.line.removeFirst()
                return Self.wakeAll(&state)
            }
            return Self.remove(ticket, &state)
        }
        for sleeper in woken { sleeper.resume() }
    }

    /// Takes a waiting ticket out of line; every waiter behind it moves up and is woken.
    private func leave(_ ticket: Ticket) {
        let woken: [CheckedContinuation<Void, Never>] = state.withLock { state in
            guard state.active != ticket.id else { return [] }
            return Self.remove(ticket, &state)
        }
        for sleeper in woken { sleeper.resume() }
    }

    private static func remove(_ ticket: Ticket, _ state: inout State) -> [CheckedContinuation<Void, Never>] {
        guard let index = state.line.firstIndex(of: ticket.id) else { return [] }
        state.line.remove(at: index)
        var woken = state.sleepers.removeValue(forKey: ticket.id).map { [$0.continuation] } ?? []
        for id in state.line[index...] {
            if let sleeper = state.sleepers.removeValue(forKey: id) { woken.append(sleeper.continuation) }
        }
        return woken
    }

    private static func wakeAll(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        defer { state.sleepers.removeAll() }
        return state.sleepers.values.map(\.continuation)
    }

    /// Sleeps until the line moves or `instant` comes; returns at once if the ticket has left the line.
    private func sleep(_ ticket: Ticket, until instant: ContinuousClock.Instant) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let wait: UInt64? = state.withLock { state in
                guard state.line.contains(ticket.id) else { return nil }
                let wait = state.nextWait
                state.nextWait += 1
                state.sleepers[ticket.id] = Sleeper(wait: wait, continuation: continuation)
                return wait
            }
            guard let wait else { return continuation.resume() }
            let (seconds, attoseconds) = max(.zero, instant - .now).components
            let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { [self] in
                let due: CheckedContinuation<Void, Never>? = state.withLock { state in
                    guard state.sleepers[ticket.id]?.wait == wait else { return nil }
                    return state.sleepers.removeValue(forKey: ticket.id)?.continuation
                }
                due?.resume()
            }
        }
    }
}
