/// The weights of a BERT encoder in `Float`, laid out for the forward pass. Linear weights are
/// read in PyTorch's (out, in) row-major layout and kept in the form their product reads
/// (`LinearWeight`).
struct BertWeights: Sendable {
    struct Layer: Sendable {
        var qkvWeight: LinearWeight   // (3·hidden, hidden): query rows, then key rows, then value rows
        var qkvBias: [Float]          // (3·hidden)
        var attentionOutWeight: LinearWeight // (hidden, hidden)
        var attentionOutBias: [Float] // (hidden)
        var attentionNormGamma: [Float], attentionNormBeta: [Float] // (hidden)
        var upWeight: LinearWeight    // (intermediate, hidden)
        var upBias: [Float]           // (intermediate)
        var downWeight: LinearWeight  // (hidden, intermediate)
        var downBias: [Float]         // (hidden)
        var outputNormGamma: [Float], outputNormBeta: [Float] // (hidden)
    }

    var wordEmbeddings: [Float]       // (vocabulary, hidden)
    var positionEmbeddings: [Float]   // (maxPositions, hidden)
    var tokenTypeEmbedding: [Float]   // (hidden): row 0 only; sentence encoders use a single segment
    var embeddingNormGamma: [Float], embeddingNormBeta: [Float] // (hidden)
    var layers: [Layer]

    /// Reads every tensor the configuration calls for, checking each shape; the linear layers'
    /// weights are kept for `kernel`.
    init(file: SafetensorsFile, configuration c: BertConfiguration, kernel: LinearWeight.Kernel = .preferred) throws {
        let path = file.url.path
        guard let names = BertTensorNames.detect(in: file.tensors.keys) else {
            throw InferenceError.missingTensor(path: path, name: "embeddings.word_embeddings.weight")
        }
        func tensor(_ name: String, _ shape: [Int]) throws -> [Float] {
            guard let info = file.tensors[name] else { throw InferenceError.missingTensor(path: path, name: name) }
            guard info.shape == shape else {
                throw InferenceError.wrongShape(path: path, name: name, expected: shape, found: info.shape)
            }
            return try file.floats(name)
        }
        func norm(_ base: String) throws -> (gamma: [Float], beta: [Float]) {
            let gammaName = BertTensorNames.normWeightSuffixes.map { base + $0 }.first { file.tensors[$0] != nil } ?? base + ".weight"
            let betaName = BertTensorNames.normBiasSuffixes.map { base + $0 }.first { file.tensors[$0] != nil } ?? base + ".bias"
            return (try tensor(gammaName, [c.hiddenSize]), try tensor(betaName, [c.hiddenSize]))
        }
        let h = c.hiddenSize, i = c.intermediateSize
        wordEmbeddings = try tensor(names.wordEmbeddings, [c.vocabularySize, h])
        positionEmbeddings = try tensor(names.positionEmbeddings, [c.maxPositionEmbeddings, h])
        tokenTypeEmbedding = Array(try tensor(names.tokenTypeEmbeddings, [c.typeVocabularySize, h]).prefix(h))
        (embeddingNormGamma, embeddingNormBeta) = try norm(names.embeddingNorm)
        layers = try (0..<c.layerCount).map { l in
            let attentionNorm = try norm(names.attentionNorm(l))
            let outputNorm = try norm(names.outputNorm(l))
            return Layer(
                qkvWeight: LinearWeight(
                    rowMajor: try tensor(names.query(l) + ".weight", [h, h]) + tensor(names.key(l) + ".weight", [h, h])
                        + tensor(names.value(l) + ".weight", [h, h]),
                    outputs: 3 * h, inputs: h, kernel: kernel),
                qkvBias: try tensor(names.query(l) + ".bias", [h]) + tensor(names.key(l) + ".bias", [h])
                    + tensor(names.value(l) + ".bias", [h]),
                attentionOutWeight: LinearWeight(rowMajor: try tensor(names.attentionOutput(l) + ".weight", [h, h]), outputs: h, inputs: h, kernel: kernel),
                attentionOutBias: try tensor(names.attentionOutput(l) + ".bias", [h]),
                attentionNormGamma: attentionNorm.gamma, attentionNormBeta: attentionNorm.beta,
                upWeight: LinearWeight(rowMajor: try tensor(names.intermediate(l) + ".weight", [i, h]), outputs: i, inputs: h, kernel: kernel),
                upBias: try tensor(names.intermediate(l) + ".bias", [i]),
                downWeight: LinearWeight(rowMajor: try tensor(names.output(l) + ".weight", [h, i]), outputs: h, inputs: i, kernel: kernel),
                downBias: try tensor(names.output(l) + ".bias", [h]),
                outputNormGamma: outputNorm.gamma, outputNormBeta: outputNorm.beta)
        }
    }
}
