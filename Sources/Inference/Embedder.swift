import CBLAS
public import Foundation
import Tokenizer

/// A sentence encoder loaded from a Hugging Face model directory: texts in, unit vectors out.
///
/// Loading reads `config.json`, `model.safetensors`, `tokenizer.json` and the sentence-transformers
/// files; any problem is an `InferenceError` naming the file. Calls are serialised (one batch at a
/// time, reusing the same buffers); each batch's sequences are split between `threads` workers.
public final class Embedder: Sendable {
    /// The length of every vector.
    public let dimension: Int
    /// The model directory's name, e.g. "all-MiniLM-L6-v2".
    public let modelName: String
    /// `name@sha256-of-weights`: changes whenever the vectors would.
    public let fingerprint: String
    /// Tokens per text, [CLS] and [SEP] included; longer texts are truncated.
    public let maxSequenceLength: Int
    /// Vectors are scaled to unit length (the sentence-transformers Normalize module).
    public let normalizes: Bool
    public let prefixes: EmbeddingPrefixes

    private let tokenizer: WordPieceTokenizer
    private let engine: ParallelEncoder

    /// Loads the model in `modelDirectory`. `threads` is the number of threads a batch runs on
    /// (default: all cores). OpenBLAS is set to one thread per call, process-wide.
    public init(
        modelDirectory: URL, threads: Int? = nil, prefixes: EmbeddingPrefixes = .none, arithmetic: EncoderArithmetic = .fastest
    ) throws {
        let encoder = try BertEncoder(modelDirectory: modelDirectory, kernel: .chosen(for: arithmetic))
        tokenizer = try Self.loadTokenizer(modelDirectory)
        let digest = try ModelFileDigest.sha256Hex(ofFileAt: modelDirectory.appendingPathComponent("model.safetensors"))
        modelName = modelDirectory.standardizedFileURL.lastPathComponent
        fingerprint = "\(modelName)@sha256:\(digest)"
        dimension = encoder.configuration.hiddenSize
        maxSequenceLength = encoder.sentence.maxSequenceLength
        normalizes = encoder.sentence.normalizes
        self.prefixes = prefixes
        engine = ParallelEncoder(encoder, workers: max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount))
        // Each worker calls OpenBLAS on its own thread; OpenBLAS threads of its own would only compete.
        openblas_set_num_threads(1)
    }

    /// tokenizer.json when there is one, else vocab.txt (older BERT checkpoints ship only that).
    private static func loadTokenizer(_ directory: URL) throws -> WordPieceTokenizer {
        let json = directory.appendingPathComponent("tokenizer.json"), vocabulary = directory.appendingPathComponent("vocab.txt")
        let useJSON = FileManager.default.fileExists(atPath: json.path)
        guard useJSON || FileManager.default.fileExists(atPath: vocabulary.path) else {
            throw InferenceError.missingFile(path: json.path)
        }
        do {
            return useJSON ? try WordPieceTokenizer(tokenizerJSON: json) : try WordPieceTokenizer(vocabTXT: vocabulary)
        } catch {
            throw InferenceError.malformedFile(path: (useJSON ? json : vocabulary).path, problem: "the tokenizer cannot be loaded (\(error.message))")
        }
    }

    /// Embeds `texts`, truncating each to the window. Texts are sorted by length and cut into
    /// batches of `batchSize`, so a batch holds texts of similar length; the result is in input order.
    public func embed(_ texts: [String], role: EmbeddingRole = .passage, batchSize: Int = 32) throws -> [[Float]] {
        let prefix = prefixes.prefix(for: role)
        let ids = texts.map { tokenizer.encode(prefix + $0, maxLength: maxSequenceLength, addSpecialTokens: true) }
        return try embed(tokenIDs: ids, batchSize: batchSize)
    }

    /// Embeds sequences that are already token ids with [CLS] … [SEP] (at most `maxSequenceLength`),
    /// in length-sorted batches of `batchSize`; the result is in input order.
    public func embed(tokenIDs: [[Int32]], batchSize: Int = 32) throws -> [[Float]] {
        let order = tokenIDs.indices.sorted { tokenIDs[$0].count > tokenIDs[$1].count }
        var vectors = [[Float]](repeating: [], count: tokenIDs.count)
        var start = 0
        while start < order.count {
            let slice = order[start..<min(start + max(1, batchSize), order.count)]
            let batch = try engine.encode(slice.map { tokenIDs[$0] })
            for (index, vector) in zip(slice, batch) { vectors[index] = vector }
            start += slice.count
        }
        return vectors
    }

    /// Tokens `text` takes without the [CLS] and [SEP] the encoder adds (the chunker's ruler).
    public func tokenCount(_ text: Substring) -> Int {
        tokenizer.tokenCount(text)
    }

}
