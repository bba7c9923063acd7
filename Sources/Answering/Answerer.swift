import Foundation
import Generation
public import Retrieval
import Storage

/// Grounded answers before the model runs: finds the sources, decides whether they are relevant
/// enough to answer from, and renders the prompt. `AnswerService` runs the model in its turn.
public struct Answerer: Sendable {
    public let searcher: Searcher
    public var abstention: AbstentionPolicy
    /// Chunks retrieved to choose from (the budget may leave some out).
    public var candidateCount: Int
    /// Share of the context window the earlier turns of a chat may take.
    public var historyShare = 0.25

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

    /// The outcome when the model is not asked.
    public func abstained(_ prepared: PreparedAnswer) -> AnswerOutcome {
        AnswerOutcome(
            answer: Self.abstentionText, citations: [], invalidCitations: [], finishReason: .abstained, promptTokens: 0,
            generatedTokens: 0, queueSeconds: 0, prefillSeconds: 0, decodeSeconds: 0, firstTokenSeconds: nil)
    }

    // MARK: - Steps

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
