/// What can stop an answer, each with a message that says what to do.
public enum AnsweringError: Error, Sendable, Equatable {
    /// Every place in the decoder's queue is taken; try again after `retryAfterSeconds`.
    case queueFull(retryAfterSeconds: Int)
    /// The request's time limit passed while it waited for the decoder.
    case timedOutInQueue(seconds: Double)
    /// The question is empty or has nothing to search for.
    case emptyQuestion
    /// The model failed while generating.
    case generationFailed(String)
    /// The passages the request supplied do not fit the decoder's window with the question and the answer.
    case contextTooLarge(tokens: Int, available: Int)
    /// The client closed its connection before its answer was complete; the answer was stopped.
    case clientLeft

    public var message: String {
        switch self {
        case .queueFull(let seconds):
            "the decoder is busy and its queue is full; try again in about \(seconds) s"
        case .timedOutInQueue(let seconds):
            "waited \(Int(seconds.rounded())) s for the decoder without getting a turn (the time limit); try again when it is less busy"
        case .emptyQuestion:
            "the question is empty"
        case .generationFailed(let reason):
            "the decoder failed while answering: \(reason)"
        case .contextTooLarge(let tokens, let available):
            "the supplied context takes about \(tokens) tokens; with the question and the answer, \(available) fit the decoder's window: send less text"
        case .clientLeft:
            "the client closed the connection before the answer was complete"
        }
    }
}
