/// Why a model could not be loaded or run. `message` says what went wrong and what to do.
public enum GenerationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The model file could not be read or is not a decoder Sotto can run.
    case unsupportedModel(file: String, reason: String)
    /// The prompt, or the prompt plus generated tokens, does not fit the context.
    case contextOverflow(needed: Int, capacity: Int)
    /// A context longer than the model was trained for was asked for.
    case contextTooLong(requested: Int, trained: Int)
    /// Memory for the KV cache or the work buffers could not be allocated.
    case outOfMemory(bytes: Int, what: String)
    /// A bad option (a temperature below zero, a top-p outside 0...1, ...).
    case invalidOption(String)
    /// The model's chat template is not one Sotto renders itself.
    case unsupportedChatTemplate(file: String)
    /// A perplexity run needs more text than it was given.
    case textTooShort(tokens: Int, needed: Int)
    /// A weight product failed (its kernel's message).
    case kernelFailed(String)

    public var message: String {
        switch self {
        case .unsupportedModel(let file, let reason):
            "cannot use \(file) as a decoder: \(reason)"
        case .contextOverflow(let needed, let capacity):
            "the context holds \(capacity) tokens but \(needed) are needed; shorten the prompt or raise the context length"
        case .contextTooLong(let requested, let trained):
            "a context of \(requested) tokens was asked for but the model was trained for \(trained); use at most \(trained)"
        case .outOfMemory(let bytes, let what):
            "could not allocate \(bytes) bytes for the \(what); use a shorter context or free memory"
        case .invalidOption(let text):
            text
        case .unsupportedChatTemplate(let file):
            "\(file) has a chat template Sotto does not know (only ChatML is rendered); run without --chat and write the prompt in the model's format"
        case .textTooShort(let tokens, let needed):
            "the text has \(tokens) tokens but at least \(needed) are needed (two contexts)"
        case .kernelFailed(let message):
            message
        }
    }

    public var description: String { message }
}
