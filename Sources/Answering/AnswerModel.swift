/// One message of a chat, as the model sees it.
public struct ChatMessage: Sendable, Equatable, Codable {
    public enum Role: String, Sendable, Codable {
        case system, user, assistant
    }
    public var role: Role
    public var content: String
    public init(role: Role, content: String) {
        self.role = role
        self.content = content
    }
}

/// How the model should sample one answer.
public struct AnswerGenerationOptions: Sendable, Equatable {
    /// 0 is greedy.
    public var temperature: Double
    public var maxTokens: Int
    /// Nucleus sampling's share of probability; nil: the model's default.
    public var topP: Double?
    /// The seed of the random numbers when sampling; nil: the model's default.
    public var seed: UInt64?
    /// The answer ends before any of these strings would appear.
    public var stop: [String]
    public init(temperature: Double = 0, maxTokens: Int = 512, topP: Double? = nil, seed: UInt64? = nil, stop: [String] = []) {
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.topP = topP
        self.seed = seed
        self.stop = stop
    }
}

/// What a model reports while it answers.
public enum AnswerModelEvent: Sendable, Equatable {
    /// The prompt has been read (before any piece); an answer stopped at its time limit reports these.
    case prefilled(promptTokens: Int, prefillSeconds: Double)
    /// A piece of the answer text (one token's worth, possibly empty while a character is incomplete).
    case piece(String)
    /// The answer is complete; counts and where the time went.
    case finished(promptTokens: Int, generatedTokens: Int, prefillSeconds: Double, decodeSeconds: Double)
}

/// The decoder as answering needs it. The daemon adapts the Generation module's `Generator` to it,
/// so answering is testable with a fake and knows nothing of weights or kernels.
public protocol AnswerModel: Sendable {
    /// The name shown to users (`qwen2.5-coder-1.5b`).
    var name: String { get }
    /// The model's context window as configured, in tokens.
    var contextTokens: Int { get }
    /// Tokens `text` takes in this model's vocabulary; used to fit sources into the window.
    func countTokens(_ text: String) -> Int
    /// Streams the answer to a chat (system, user, previous turns) as pieces, then `.finished`, then
    /// ends. Generation stops within one token once the consumer cancels or drops the stream.
    func generate(_ messages: [ChatMessage], options: AnswerGenerationOptions) -> AsyncThrowingStream<AnswerModelEvent, Error>
}
