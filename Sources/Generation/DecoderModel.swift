public import Foundation
public import GGUF

/// A qwen2 or llama decoder loaded from a GGUF file: configuration, vocabulary and weights.
///
/// Weights stay quantized in the file's mmap, so loading is quick and costs little memory; the
/// model is immutable and can be shared. Running it needs a `DecoderSession` (KV cache, buffers).
public final class DecoderModel: Sendable {
    /// The file's name, used in messages.
    public let name: String
    public let configuration: DecoderConfiguration
    public let vocabulary: DecoderVocabulary
    /// `tokenizer.chat_template` as written in the file: inspected to pick a family, never executed.
    public let chatTemplateSource: String?
    let weights: DecoderWeights
    /// Owns the mmap the weights point into.
    let file: GGUFFile

    /// Checks the metadata, tensor shapes and types, and builds the tokenizer.
    public init(file: GGUFFile, name: String) throws(GenerationError) {
        self.name = name
        self.file = file
        configuration = try DecoderConfiguration(file: file, name: name)
        weights = try DecoderWeights(file: file, configuration: configuration, name: name)
        vocabulary = try DecoderVocabulary(file: file, name: name)
        guard vocabulary.tokenizer.vocabularySize <= configuration.vocabularySize else {
            throw .unsupportedModel(
                file: name,
                reason: "the vocabulary has \(vocabulary.tokenizer.vocabularySize) tokens but the embedding only \(configuration.vocabularySize) rows")
        }
        chatTemplateSource = file.string(DecoderMetadataKeys.chatTemplate)
    }

    /// Opens (mmaps) a GGUF file and loads it.
    public convenience init(contentsOf url: URL) throws(GenerationError) {
        let file: GGUFFile
        do {
            file = try GGUFFile(contentsOf: url)
        } catch {
            throw .unsupportedModel(file: url.path, reason: error.message)
        }
        try self.init(file: file, name: url.path)
    }
}
