public import Answering
public import Foundation
import Generation

/// Makes a decoder from its file: the hook through which the daemon gets its real decoder
/// (`generatorLoader`, wired in `sottod`) and tests a fake. Called once per model, off the
/// cooperative pool; the model is kept for the daemon's lifetime. Arguments: the file, the threads
/// (nil: all cores) and the context window in tokens.
public typealias DecoderLoader = @Sendable (_ file: URL, _ threads: Int?, _ contextTokens: Int) throws -> any AnswerModel

/// The real decoder: a GGUF model run by the Generation module's `Generator`, which answers as it is
/// (`Generator+AnswerModel`). Loading mmaps the file and allocates the KV cache for `contextTokens`.
public let generatorLoader: DecoderLoader = { file, threads, contextTokens in
    do {
        let generator = try Generator(model: try DecoderModel(contentsOf: file), contextLength: contextTokens, threads: threads)
        guard generator.chatTemplate != nil else { throw GenerationError.unsupportedChatTemplate(file: file.path) }
        return generator
    } catch let error as GenerationError {
        throw DecoderLoadError(message: error.message)
    }
}

/// A decoder that could not be loaded, as the daemon reports it (status shows `message`).
public struct DecoderLoadError: Error, LocalizedError, Sendable {
    public let message: String
    public var errorDescription: String? { message }
}
