/// Holds path events until each path has been quiet for `interval`: a burst of `IN_MODIFY` from a long
/// write becomes one `.changed`, and the last word wins, so delete-then-recreate is one `.changed`.
/// A path that appeared and vanished within one quiet period (an editor's or an atomic save's
/// temporary file) leaves no event at all: the consumer never heard of it.
struct Debouncer {
    typealias Instant = ContinuousClock.Instant

    private struct Pending {
        var event: WatchEvent
        var deadline: Instant
        /// The path did not exist when this quiet period began.
        var appeared: Bool
    }

    let interval: Duration
    private var pending: [String: Pending] = [:]

    init(interval: Duration) {
        self.interval = interval
    }

    var isEmpty: Bool { pending.isEmpty }

    /// The earliest moment at which `takeDue` will return something.
    var nextDeadline: Instant? { pending.values.map(\.deadline).min() }

    /// Replaces whatever is pending for the event's path and restarts its quiet period; `appeared`
    /// says the event is a creation or a move in. Events without a path are ignored: they are never
    /// debounced.
    mutating func record(_ event: WatchEvent, at now: Instant, appeared: Bool = false) {
        guard let path = event.path else { return }
        let existing = pending[path]
        if case .removed = event, existing?.appeared == true {
            pending[path] = nil
            return
        }
        pending[path] = Pending(event: event, deadline: now + interval, appeared: existing?.appeared ?? appeared)
    }

    /// Removes and returns, oldest first, the events whose quiet period has ended.
    mutating func takeDue(at now: Instant) -> [WatchEvent] {
        let due = pending.filter { $0.value.deadline <= now }
        for path in due.keys { pending[path] = nil }
        return Self.ordered(due)
    }

    /// Removes and returns everything pending, oldest first.
    mutating func takeAll() -> [WatchEvent] {
        defer { pending = [:] }
        return Self.ordered(pending)
    }

    /// Forgets pending events for `directory` and everything below it.
    mutating func discard(under directory: String) {
        discard(below: directory)
        pending[directory] = nil
    }

    /// Forgets pending events for everything below `directory`, but not for the directory itself.
    mutating func discard(below directory: String) {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        pending = pending.filter { !$0.key.hasPrefix(prefix) }
    }

    private static func ordered(_ entries: [String: Pending]) -> [WatchEvent] {
        entries.sorted { ($0.value.deadline, $0.key) < ($1.value.deadline, $1.key) }.map(\.value.event)
    }
}
