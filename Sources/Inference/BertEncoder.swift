import CBLAS

/// A BERT encoder with sentence pooling: token ids in, one vector per sequence out.
///
/// Sequences of a batch are packed end to end (no padding rows): every step but attention works
/// token by token, so it runs on one (tokens, hidden) matrix, and attention runs per sequence over
/// exactly its own tokens. That is what an attention mask over padded rows computes, without the
/// padded rows. By far most of the time is in the products of the projections and the FFN (`LinearWeight`).
struct BertEncoder: Sendable {
    let configuration: BertConfiguration
    let sentence: SentenceEncoderConfiguration
    let weights: BertWeights

    /// Encodes a batch. Each sequence must already hold [CLS] … [SEP], at most `maxSequenceLength` ids.
    func encode(_ batch: [[Int32]], workspace: EncoderWorkspace) throws -> [[Float]] {
        let c = configuration
        let h = c.hiddenSize, heads = c.headCount, d = c.headDimension, ffn = c.intermediateSize
        guard !batch.isEmpty else { return [] }
        for (index, ids) in batch.enumerated() {
            guard !ids.isEmpty else { throw InferenceError.invalidInput("sequence \(index) has no tokens") }
            guard ids.count <= sentence.maxSequenceLength else {
                throw InferenceError.invalidInput("sequence \(index) has \(ids.count) tokens; the model's window is \(sentence.maxSequenceLength)")
            }
            if let bad = ids.first(where: { $0 < 0 || Int($0) >= c.vocabularySize }) {
                throw InferenceError.invalidInput("token id \(bad) in sequence \(index) is outside the vocabulary of \(c.vocabularySize)")
            }
        }
        let lengths = batch.map(\.count)
        var offsets = [Int](repeating: 0, count: batch.count) // first token of each sequence
        for s in 1..<max(batch.count, 1) { offsets[s] = offsets[s - 1] + lengths[s - 1] }
        let tokens = lengths.reduce(0, +)
        workspace.reserve(tokens: tokens, longest: lengths.max() ?? 0)
        let x = workspace.hidden          // (tokens, h)
        let qkv = workspace.qkv           // (tokens, 3h)
        let context = workspace.context   // (tokens, h)
        let up = workspace.intermediate   // (tokens, ffn)
        let scores = workspace.scores     // (n, n) for one sequence and head

        // Embeddings: word + position + token type 0, then LayerNorm.
        weights.wordEmbeddings.withUnsafeBufferPointer { word in
            weights.positionEmbeddings.withUnsafeBufferPointer { position in
                weights.tokenTypeEmbedding.withUnsafeBufferPointer { type in
                    for (s, ids) in batch.enumerated() {
                        for (p, id) in ids.enumerated() {
                            let row = x + (offsets[s] + p) * h
                            let w = Int(id) * h, e = p * h
                            for j in 0..<h { row[j] = word[w + j] + position[e + j] + type[j] }
                        }
                    }
                }
            }
        }
        Kernels.layerNorm(x, rows: tokens, columns: h, gamma: weights.embeddingNormGamma,
                          beta: weights.embeddingNormBeta, epsilon: c.layerNormEps)

        let scale = 1 / Float(d).squareRoot()
        for layer in weights.layers {
            // Biases are folded into the products: C starts as the bias rows (or the residual plus
            // the bias) and the product is added to it, so no pass adds a bias or zeroes C.
            // Self-attention. qkv = b + x · Wqkvᵀ: (tokens, 3h) = (tokens, h) · (h, 3h)
            Kernels.fillRows(qkv, rows: tokens, columns: 3 * h, with: layer.qkvBias)
            try layer.qkvWeight.accumulate(x, into: qkv, rows: tokens, scratch: workspace.activations)
            for s in 0..<batch.count {
                let n = lengths[s]
                let base = qkv + offsets[s] * 3 * h
                for head in 0..<heads {
                    let q = base + head * d, k = base + h + head * d, v = base + 2 * h + head * d // (n, d), stride 3h
                    // scores = q · kᵀ / √d: (n, n)
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(n), Int32(d),
                                scale, q, Int32(3 * h), k, Int32(3 * h), 0, scores, Int32(n))
                    Kernels.softmaxRows(scores, rows: n, columns: n, stride: n)
                    // context[:, head] = scores · v: (n, d)
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(d), Int32(n),
                                1, scores, Int32(n), v, Int32(3 * h), 0, context + offsets[s] * h + head * d, Int32(h))
                }
            }
            // x = LayerNorm(x + bo + context · Woᵀ)
            Kernels.addBias(x, rows: tokens, columns: h, bias: layer.attentionOutBias)
            try layer.attentionOutWeight.accumulate(context, into: x, rows: tokens, scratch: workspace.activations)
            Kernels.layerNorm(x, rows: tokens, columns: h, gamma: layer.attentionNormGamma, beta: layer.attentionNormBeta, epsilon: c.layerNormEps)
            // Feed-forward. up = GELU(b1 + x · W1ᵀ): (tokens, ffn); x = LayerNorm(x + b2 + up · W2ᵀ)
            Kernels.fillRows(up, rows: tokens, columns: ffn, with: layer.upBias)
            try layer.upWeight.accumulate(x, into: up, rows: tokens, scratch: workspace.activations)
            Kernels.applyGELU(up, count: tokens * ffn, tanhApproximation: c.activation == .geluTanh)
            Kernels.addBias(x, rows: tokens, columns: h, bias: layer.downBias)
            try layer.downWeight.accumulate(up, into: x, rows: tokens, scratch: workspace.activations)
            Kernels.layerNorm(x, rows: tokens, columns: h, gamma: layer.outputNormGamma, beta: layer.outputNormBeta, epsilon: c.layerNormEps)
        }

        // Pooling, then optional L2 normalisation: one (h) vector per sequence.
        return (0..<batch.count).map { s in
            var vector = [Float](repeating: 0, count: h)
            let first = x + offsets[s] * h
            switch sentence.pooling {
            case .cls:
                for j in 0..<h { vector[j] = first[j] }
            case .mean:
                for p in 0..<lengths[s] {
                    let row = first + p * h
                    for j in 0..<h { vector[j] += row[j] }
                }
                let inverse = 1 / Float(lengths[s])
                for j in 0..<h { vector[j] *= inverse }
            }
            if sentence.normalizes {
                let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
                // sentence-transformers divides by max(norm, 1e-12).
                let inverse = 1 / Swift.max(norm, 1e-12)
                for j in 0..<h { vector[j] *= inverse }
            }
            return vector
        }
    }
}
