/// Tells an answer that the one who asked has gone, so that it stops at once, whether it waits in
/// the queue or generates (the daemon's `ConnectionWatch`, which sees the connection close).
public protocol AnswerWatch: Sendable {
    /// Calls `action` once when the client leaves (at once if it already has). Returns the token
    /// `cancel` takes, or nil if the action has already run.
    func whenClientLeaves(_ action: @escaping @Sendable () -> Void) -> Int?
    func cancel(_ token: Int?)
}
