public import Generation

/// One question to answer, as the daemon received it.
public struct AnswerRequest: Sendable {
    public var question: String
    /// Earlier turns of a chat, oldest first (user and assistant messages).
    public var history: [ChatMessage]
    /// Most chunks to retrieve as sources.
    public var sourceCount: Int
    public var temperature: Double
    public var maxTokens: Int
    public var pathPrefix: String?
    public var style: AnswerStyle
    /// Passages to answer from instead of searching (the evaluation's gold-passage condition).
    public var suppliedPassages: [SuppliedPassage]?
    /// false: always ask the model, even when retrieval found nothing relevant.
    public var allowsAbstention: Bool

    public init(
        question: String, history: [ChatMessage] = [], sourceCount: Int = 5, temperature: Double = 0,
        maxTokens: Int = 512, pathPrefix: String? = nil, style: AnswerStyle = .sentences,
        suppliedPassages: [SuppliedPassage]? = nil, allowsAbstention: Bool = true
    ) {
        self.question = question
        self.history = history
        self.sourceCount = sourceCount
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.pathPrefix = pathPrefix
        self.style = style
        self.suppliedPassages = suppliedPassages
        self.allowsAbstention = allowsAbstention
    }
}

/// Everything decided before the model runs: what was searched, the sources, the chat to send.
public struct PreparedAnswer: Sendable {
    /// The query retrieval ran (a follow-up rewritten to stand alone).
    public var query: String
    public var sources: [AnswerSource]
    public var messages: [ChatMessage]
    public var options: GenerationOptions
    /// nil when the sources were supplied.
    public var relevance: Relevance?
    /// True when retrieval found nothing relevant: the answer is `abstentionText`, the model is not asked.
    public var isAbstaining: Bool
    public var retrievalSeconds: Double
    /// What the citation check holds the answer to: a short answer must be found in a source.
    public var style: AnswerStyle = .sentences
    /// False (the request's `allowsAbstention`): an answer no source holds is still not declined.
    public var allowsDeclining = true
}

/// How an answer ended.
public enum FinishReason: String, Sendable {
    /// The model ended its answer.
    case stop
    /// The answer reached max tokens.
    case length
    /// The request's time limit stopped it.
    case timeLimit = "time_limit"
    /// Nothing relevant was found; the model was not asked.
    case abstained

    /// How the decoder said it stopped: an end-of-generation token or a stop string ends the answer
    /// (`stop`); max tokens cut it (`length`). An answer is interrupted by its time limit, or by a
    /// client that left, whose outcome no one reads.
    public init(_ reason: StopReason) {
        switch reason {
        case .endOfGeneration, .stopString: self = .stop
        case .maxTokens: self = .length
        case .interrupted: self = .timeLimit
        }
    }
}

/// The finished answer with its citations, counts and timings.
public struct AnswerOutcome: Sendable {
    public var answer: String
    public var citations: [Citation]
    /// Numbers the answer cites that are not sources; left out of `citations`.
    public var invalidCitations: [Int]
    public var finishReason: FinishReason
    public var promptTokens: Int
    public var generatedTokens: Int
    public var queueSeconds: Double
    public var prefillSeconds: Double
    public var decodeSeconds: Double
    /// From the start of generation (after the queue) to the first piece.
    public var firstTokenSeconds: Double?
    /// The citation check's findings (`CitationVerifier`); nil when the model was not asked.
    /// `citations` are then the verified ones, each with its quote.
    public var check: AnswerCheck? = nil
    /// True when no source holds the answer's central claim: `answer` ends with `Answerer.ungroundedText`.
    public var isDeclined = false

    /// A declined answer as one document shows it: only the statement that the documents do not
    /// say, the model's words kept in `draft` (what `check`'s sentence ranges point into).
    public func replacingDeclinedAnswer() -> (outcome: AnswerOutcome, draft: String?) {
        let statement = "\n\n" + Answerer.ungroundedText
        guard isDeclined, answer.hasSuffix(statement) else { return (self, nil) }
        var outcome = self
        let draft = String(answer.dropLast(statement.count))
        outcome.answer = Answerer.abstentionText
        return (outcome, draft)
    }
    /// Set when the answer may have been steered by an instruction inside a source (`InjectionCheck`).
    public var warning: String? = nil
    /// Prompt tokens the decoder kept from the answer before (a shared prefix) and did not run again.
    public var reusedPromptTokens = 0
    /// Tokens speculation proposed, and how many of them the model kept.
    public var draftedTokens = 0
    public var acceptedDraftTokens = 0
}

/// What the answer stream carries after the sources.
public enum AnswerEvent: Sendable {
    /// Waiting for the decoder with `position` requests ahead.
    case queued(position: Int)
    case token(String)
    case done(AnswerOutcome)
}
