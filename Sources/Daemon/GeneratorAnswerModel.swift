public import Answering
public import Foundation
import Generation

/// The real decoder behind `/v1/ask`: a GGUF model run by the Generation module, seen through the
/// Answering module's `AnswerModel`. Compute runs on the Generator's own thread, one answer at a time;
/// dropping the stream stops generation before the next token.
public final class GeneratorAnswerModel: AnswerModel {
    public let name: String
    public let contextTokens: Int
    private let generator: Generator

    /// Loads (mmaps) the model file and allocates its KV cache for `contextTokens` tokens.
    init(file: URL, threads: Int?, contextTokens: Int) throws(GenerationError) {
        let model = try DecoderModel(contentsOf: file)
        generator = try Generator(model: model, contextLength: contextTokens, threads: threads)
        guard generator.chatTemplate != nil else { throw GenerationError.unsupportedChatTemplate(file: file.path) }
        name = model.name
        self.contextTokens = generator.contextLength
    }

    /// The loader `sottod` hands to the daemon.
    public static let loader: DecoderLoader = { file, threads, contextTokens in
        do {
            return try GeneratorAnswerModel(file: file, threads: threads, contextTokens: contextTokens)
        } catch let error as GenerationError {
            throw DecoderLoadError(message: error.message)
        }
    }

    public func countTokens(_ text: String) -> Int {
        generator.model.vocabulary.tokenizer.encode(text).count
    }

    public func generate(
        _ messages: [Answering.ChatMessage], options: AnswerGenerationOptions
    ) -> AsyncThrowingStream<AnswerModelEvent, Error> {
        let chat = messages.map { message in
            Generation.ChatMessage(role: Self.role(message.role), content: message.content)
        }
        var sampling = SamplingOptions(temperature: Float(options.temperature))
        if let topP = options.topP { sampling.topP = Float(topP) }
        if let seed = options.seed { sampling.seed = seed }
        let generationOptions = GenerationOptions(maxTokens: options.maxTokens, sampling: sampling, stopStrings: options.stop)
        let events = generator.generate(prompt: .chat(chat), options: generationOptions)
        let (stream, continuation) = AsyncThrowingStream<AnswerModelEvent, Error>.makeStream()
        let task = Task {
            do {
                for try await event in events {
                    switch event {
                    case .prefilled(let promptTokens, let seconds):
                        continuation.yield(.prefilled(promptTokens: promptTokens, prefillSeconds: seconds))
                    case .text(let piece):
                        continuation.yield(.piece(piece))
                    case .finished(let summary):
                        continuation.yield(
                            .finished(
                                promptTokens: summary.promptTokens, generatedTokens: summary.generatedTokens,
                                prefillSeconds: summary.prefillSeconds, decodeSeconds: summary.decodeSeconds))
                    }
                }
                continuation.finish()
            } catch let error as GenerationError {
                continuation.finish(throwing: DecoderLoadError(message: error.message))
            } catch {
                continuation.finish(throwing: error)
            }
        }
        // Ending the consumer's iteration cancels the task, whose iterator ending stops the Generator.
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    private static func role(_ role: Answering.ChatMessage.Role) -> Generation.ChatMessage.Role {
        switch role {
        case .system: .system
        case .user: .user
        case .assistant: .assistant
        }
    }
}

/// A decoder failure as the daemon reports it (status and `/v1/ask` errors show `message`).
public struct DecoderLoadError: Error, LocalizedError, Sendable {
    public let message: String
    public var errorDescription: String? { message }
}
