import Foundation
import Generation
import Synchronization

/// The answer as it grows on the decoder's thread, read once it is done.
final class PartialAnswer: Sendable {
    private struct State {
        var text = ""
        var pieces = 0
        var promptTokens = 0
        var generatedTokens: Int?
        var prefillSeconds = 0.0
        var decodeSeconds = 0.0
        var firstTokenSeconds: Double?
        var queueSeconds = 0.0
        var reason = FinishReason.stop
        var reusedPromptTokens = 0
        var draftedTokens = 0
        var acceptedDraftTokens = 0
    }
    private let state = Mutex(State())

    var queueSeconds: Double {
        get { state.withLock { $0.queueSeconds } }
        set { state.withLock { $0.queueSeconds = newValue } }
    }

    /// Takes one event of the model; `started` is when generation began (after the queue).
    func record(_ event: GenerationEvent, started: ContinuousClock.Instant) {
        state.withLock { state in
            switch event {
            case .prefilled(let promptTokens, let seconds):
                state.promptTokens = promptTokens
                state.prefillSeconds = seconds
            case .text(let piece):
                if state.firstTokenSeconds == nil { state.firstTokenSeconds = Answerer.seconds(since: started) }
                state.text += piece
                state.pieces += 1
            case .finished(let summary):
                state.promptTokens = summary.promptTokens
                state.generatedTokens = summary.generatedTokens
                state.prefillSeconds = summary.prefillSeconds
                state.decodeSeconds = summary.decodeSeconds
                state.reason = FinishReason(summary.stopReason)
                state.reusedPromptTokens = summary.reusedPromptTokens
                state.draftedTokens = summary.draftedTokens
                state.acceptedDraftTokens = summary.acceptedDraftTokens
            }
        }
    }

    func outcome(sources: [AnswerSource], question: String) -> AnswerOutcome {
        let state = state.withLock { $0 }
        let answer = state.text.trimmingCharacters(in: .whitespacesAndNewlines)
        let (citations, invalid) = Citations.resolve(answer, sources: sources)
        return AnswerOutcome(
            answer: answer, citations: citations, invalidCitations: invalid, finishReason: state.reason,
            promptTokens: state.promptTokens, generatedTokens: state.generatedTokens ?? state.pieces,
            queueSeconds: state.queueSeconds, prefillSeconds: state.prefillSeconds, decodeSeconds: state.decodeSeconds,
            firstTokenSeconds: state.firstTokenSeconds,
            warning: InjectionCheck.warning(answer: answer, question: question, sources: sources),
            reusedPromptTokens: state.reusedPromptTokens, draftedTokens: state.draftedTokens,
            acceptedDraftTokens: state.acceptedDraftTokens)
    }
}
