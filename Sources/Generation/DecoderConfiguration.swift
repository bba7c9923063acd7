public import GGUF

/// The decoder families Sotto runs.
public enum DecoderArchitecture: String, Sendable {
    /// Qwen2: QKV biases, NeoX-style RoPE (rotates the two halves of each head).
    case qwen2
    /// Llama (SmolLM2): no biases, RoPE over adjacent pairs (the converter permuted Q and K for it).
    case llama
}

/// How RoPE pairs the dimensions of a head (llama.cpp's LLAMA_ROPE_TYPE_NORM and _NEOX).
public enum RoPEStyle: Sendable {
    /// Pairs (2i, 2i+1).
    case adjacentPairs
    /// Pairs (i, i + headDim/2).
    case halves
}

/// The shape of a decoder, read from GGUF metadata. Names follow the README's glossary.
public struct DecoderConfiguration: Sendable, Equatable {
    public var architecture: DecoderArchitecture
    public var layerCount: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var headCount: Int
    public var kvHeadCount: Int
    public var headDim: Int
    public var ropeTheta: Float
    public var rmsNormEps: Float
    /// The context length the model was trained for (`<arch>.context_length`).
    public var trainedContextLength: Int
    public var vocabularySize: Int

    public var ropeStyle: RoPEStyle { architecture == .qwen2 ? .halves : .adjacentPairs }
    public var hasQKVBias: Bool { architecture == .qwen2 }
    public var queryDim: Int { headCount * headDim }
    public var kvDim: Int { kvHeadCount * headDim }

    /// The context length used when none is asked for (capped by the trained length).
    public static let defaultContextLength = 8_192

    /// Reads and checks the configuration; `name` (the file's name) goes into error messages.
    public init(file: GGUFFile, name: String) throws(GenerationError) {
        func fail(_ reason: String) -> GenerationError { .unsupportedModel(file: name, reason: reason) }
        guard let arch = file.string(DecoderMetadataKeys.architecture) else {
            throw fail("no \(DecoderMetadataKeys.architecture) in the metadata (is it a GGUF model?)")
        }
        guard let architecture = DecoderArchitecture(rawValue: arch) else {
            throw fail("architecture \"\(arch)\" is not supported (qwen2 and llama are)")
        }
        func integer(_ key: String) throws(GenerationError) -> Int {
            guard let value = file.integer(key) else { throw fail("metadata key \(key) is missing or not an integer") }
            guard value > 0, value <= 1 << 24 else { throw fail("metadata key \(key) is \(value), out of range") }
            return value
        }
        self.architecture = architecture
        layerCount = try integer(DecoderMetadataKeys.blockCount(arch))
        hiddenSize = try integer(DecoderMetadataKeys.embeddingLength(arch))
        intermediateSize = try integer(DecoderMetadataKeys.feedForwardLength(arch))
        headCount = try integer(DecoderMetadataKeys.headCount(arch))
        kvHeadCount = try integer(DecoderMetadataKeys.kvHeadCount(arch))
        trainedContextLength = try integer(DecoderMetadataKeys.contextLength(arch))
        guard let eps = file.float(DecoderMetadataKeys.rmsEpsilon(arch)) else {
            throw fail("metadata key \(DecoderMetadataKeys.rmsEpsilon(arch)) is missing")
        }
        guard eps > 0, eps < 1 else { throw fail("RMS norm epsilon \(eps) is out of range") }
        rmsNormEps = Float(eps)
        // llama.cpp falls back to 10,000 when the file leaves the base out.
        let base = file.float(DecoderMetadataKeys.ropeFreqBase(arch)) ?? 10_000
        guard base > 1, base.isFinite else { throw fail("RoPE base \(base) is out of range") }
        ropeTheta = Float(base)

        guard hiddenSize % headCount == 0 else {
            throw fail("embedding length \(hiddenSize) is not a multiple of the head count \(headCount)")
        }
        headDim = hiddenSize / headCount
        if let keyLength = file.integer(DecoderMetadataKeys.keyLength(arch)), keyLength != headDim {
            throw fail("key length \(keyLength) differs from embedding length / heads = \(headDim), which Sotto does not support")
        }
        if let ropeDims = file.integer(DecoderMetadataKeys.ropeDimensionCount(arch)), ropeDims != headDim {
            throw fail("RoPE over \(ropeDims) of \(headDim) head dimensions is not supported")
        }
        guard headDim % 2 == 0 else { throw fail("head dimension \(headDim) is odd") }
        guard kvHeadCount <= headCount, headCount % kvHeadCount == 0 else {
            throw fail("head count \(headCount) is not a multiple of the KV head count \(kvHeadCount)")
        }
        guard let embedding = file.tensor(named: DecoderTensorNames.tokenEmbedding) else {
            throw fail("tensor \(DecoderTensorNames.tokenEmbedding) is missing")
        }
        guard embedding.dimensions.count == 2, embedding.dimensions[0] == hiddenSize, embedding.dimensions[1] > 0 else {
            throw fail("tensor \(DecoderTensorNames.tokenEmbedding) has shape \(embedding.dimensions), expected [\(hiddenSize), vocabulary]")
        }
        vocabularySize = embedding.dimensions[1]
    }
}
