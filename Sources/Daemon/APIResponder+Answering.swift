import API
import Answering
import Foundation
import Generation
import Retrieval

/// The one answer path behind `/v1/ask` and `/v1/chat/completions`: retrieval and abstention, then
/// the queue, the time limit and the generation, which ends as soon as the client leaves. The
/// endpoints differ only in the shape they send it in.
extension APIResponder {
    /// Retrieval, abstention and the prompt for a grounded question, and the decoder `modelName`
    /// names (the default when nil), or why it cannot answer. An unknown name fails at once; a
    /// decoder that is loading or absent still lets retrieval run (abstaining needs no decoder).
    /// Only documents `visibility` allows are searched.
    func prepareGrounded(_ request: AnswerRequest, modelName: String?, visibility: DocumentVisibility) async throws
        -> (prepared: PreparedAnswer, decoder: Result<(name: String, model: any AnswerModel), APIError>)
    {
        let chosen = decoders.model(named: modelName)
        if case .failure(let error) = chosen, error.code == .unknownModel { throw error }
        do {
            return (try await answerer.prepare(request, model: (try? chosen.get())?.model, visibility: visibility), chosen)
        } catch AnsweringError.emptyQuestion {
            throw APIError(400, .emptyQuery, "the question has no words to search for")
        } catch let error as AnsweringError {
            guard case .contextTooLarge = error else { throw error }
            throw APIError(400, .contextTooLarge, error.message)
        }
    }

    /// Takes a place in the decoder's queue (503 `queue_full` with Retry-After when there is none)
    /// and starts the answer, speculating unless `[decoder] speculation` is off: queue positions,
    /// tokens, then the outcome. The stream throws
    /// `AnsweringError.clientLeft` as soon as the client leaves, which stops the generation.
    func startAnswer(
        _ prepared: PreparedAnswer, model: any AnswerModel, received: ContinuousClock.Instant, watch: ConnectionWatch?
    ) throws(APIError) -> AsyncThrowingStream<AnswerEvent, any Error> {
        var prepared = prepared
        if !configuration.decoder.speculates { prepared.options.speculation = nil }
        do {
            return try decoders.answers.answer(prepared, model: model, deadline: received + configuration.decoder.timeLimit, watch: watch)
        } catch {
            var seconds = 1
            if case .queueFull(let retry) = error { seconds = retry }
            throw APIError(503, .queueFull, error.message, retryAfter: seconds)
        }
    }
}
