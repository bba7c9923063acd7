import CKernels
import Foundation
import Quant

/// A model ready to run: its KV cache, work buffers and threads. Not for concurrent use: one
/// sequence at a time (the `Generator` serialises callers).
public final class DecoderSession: @unchecked Sendable {
    public let model: DecoderModel
    public let cache: KVCache
    let pool: ComputePool
    /// Tokens per forward pass: longer inputs are run in chunks (prefill).
    let maxBatch: Int
    /// Logit rows computed per output matmul (perplexity wants many rows; memory stays bounded).
    let logitRows: Int

    // Work buffers, allocated once. Shapes in tokens (n ≤ maxBatch) × features.
    let x: UnsafeMutablePointer<Float>        // (n, hidden) the residual stream
    let xb: UnsafeMutablePointer<Float>       // (n, hidden) normed input of a sublayer
    let q: UnsafeMutablePointer<Float>        // (n, headCount·headDim)
    let k: UnsafeMutablePointer<Float>        // (n, kvDim)
    let v: UnsafeMutablePointer<Float>        // (n, kvDim)
    let attention: UnsafeMutablePointer<Float>  // (n, headCount·headDim)
    let gate: UnsafeMutablePointer<Float>     // (n, intermediate)
    let up: UnsafeMutablePointer<Float>       // (n, intermediate)
    let projected: UnsafeMutablePointer<Float>  // (n, hidden) output of attn_output / ffn_down
    let scores: UnsafeMutablePointer<Float>   // (threads, capacity) attention weights
    let headScratch: UnsafeMutablePointer<Float>  // (threads, queriesPerCall·(2·headDim + 2)) half-precision attention
    let ropeCos: UnsafeMutablePointer<Float>  // (headDim/2)
    let ropeSin: UnsafeMutablePointer<Float>
    let logits: UnsafeMutablePointer<Float>   // (logitRows, vocabulary)
    private var allocations: [UnsafeMutableRawPointer] = []
    /// Sees the buffers after each step of the forward pass (tests); nil otherwise.
    var tracer: (any DecoderTracer)?

    /// Positions filled in the KV cache: where the next token goes.
    public var position: Int { cache.count }
    /// The tokens in the KV cache, in order (a later prompt that starts with them reuses them).
    public private(set) var tokens: [Int32] = []

    /// - Parameters:
    ///   - contextLength: KV cache positions; default 8,192 (or the trained length if shorter).
    ///     More than the model was trained for is refused.
    ///   - threads: compute threads (default: all cores).
    public init(model: DecoderModel, contextLength: Int? = nil, threads: Int? = nil) throws(GenerationError) {
        let c = model.configuration
        let trained = c.trainedContextLength
        let length = contextLength ?? min(DecoderConfiguration.defaultContextLength, trained)
        guard length > 0 else { throw .invalidOption("the context length must be at least 1 (got \(length))") }
        guard length <= trained else { throw .contextTooLong(requested: length, trained: trained) }
        let threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
        guard threadCount >= 1, threadCount <= 256 else {
            throw .invalidOption("the thread count must be between 1 and 256 (got \(threadCount))")
        }
        self.model = model
        cache = try KVCache(configuration: c, capacity: length)
        pool = ComputePool(threads: threadCount)
        maxBatch = min(512, length)
        logitRows = min(32, maxBatch)

        var allocations: [UnsafeMutableRawPointer] = []
        func buffer(_ count: Int) throws(GenerationError) -> UnsafeMutablePointer<Float> {
            guard let raw = calloc(max(count, 1), MemoryLayout<Float>.stride) else {
                for a in allocations { free(a) }
                throw .outOfMemory(bytes: count * MemoryLayout<Float>.stride, what: "decoder work buffers")
            }
            allocations.append(raw)
            return raw.bindMemory(to: Float.self, capacity: count)
        }
        let n = maxBatch
        x = try buffer(n * c.hiddenSize)
        xb = try buffer(n * c.hiddenSize)
        q = try buffer(n * c.queryDim)
        k = try buffer(n * c.kvDim)
        v = try buffer(n * c.kvDim)
        attention = try buffer(n * c.queryDim)
        gate = try buffer(n * c.intermediateSize)
        up = try buffer(n * c.intermediateSize)
        projected = try buffer(n * c.hiddenSize)
        scores = try buffer(threadCount * length)
        headScratch = try buffer(threadCount * Self.queriesPerCall * (2 * c.headDim + 2))
        ropeCos = try buffer(c.headDim / 2)
        ropeSin = try buffer(c.headDim / 2)
        logits = try buffer(logitRows * c.vocabularySize)
        self.allocations = allocations
    }

    deinit {
        for a in allocations { free(a) }
    }

    /// Forgets the sequence so far.
    public func reset() {
        cache.reset()
        tokens.removeAll(keepingCapacity: true)
    }

    /// Keeps the first `count` tokens of the sequence and forgets the rest.
    public func truncate(to count: Int) {
        cache.truncate(to: count)
        tokens.removeLast(tokens.count - cache.count)
    }

    /// Runs `tokens` at the next positions and returns the logits after the last one
    /// (`vocabularySize` values, valid until the next call).
    public func evaluate(_ tokens: [Int32]) throws(GenerationError) -> UnsafeBufferPointer<Float> {
        guard !tokens.isEmpty else { throw .invalidOption("nothing to evaluate: no tokens") }
        let vocabulary = model.configuration.vocabularySize
        try evaluate(tokens, logitsFrom: tokens.count - 1) { _, _ in }
        return UnsafeBufferPointer(start: logits, count: vocabulary)
    }

    /// Runs `tokens` at the next positions and hands `body` the logits after each token from index
    /// `first` on, in order: `body(index, logits)` (the buffer is reused after `body` returns).
    /// `rounding` `.singleTokens` makes every row what a one-token pass would give, bit for bit.
    public func evaluate(
        _ tokens: [Int32], logitsFrom first: Int, rounding: BatchRounding = .prompt,
        _ body: (Int, UnsafeBufferPointer<Float>) -> Void
    ) throws(GenerationError) {
        let c = model.configuration
        let needed = cache.count + tokens.count
        guard needed <= cache.capacity else { throw .contextOverflow(needed: needed, capacity: cache.capacity) }
        for t in tokens where t < 0 || Int(t) >= c.vocabularySize {
            throw .invalidOption("token id \(t) is outside the vocabulary (0..<\(c.vocabularySize))")
        }
        var start = 0
        while start < tokens.count {
            let n = min(maxBatch, tokens.count - start)
            let chunk = Array(tokens[start..<(start + n)])
            // Clamped: a batch wholly before `first` wants no logits (an empty range, not a trap).
            let wanted = min(max(first - start, 0), n)..<n
            try forward(chunk, firstLogit: wanted.lowerBound < n ? wanted.lowerBound : n, rounding: rounding) { row, logits in
                body(start + row, logits)
            }
            self.tokens += chunk
            start += n
        }
    }

    /// The forward pass over n ≤ maxBatch tokens at positions cache.count ..< cache.count + n: the
    /// pre-norm transformer of the Llama and Qwen2 papers. Logits are computed for rows
    /// firstLogit..<n only.
    private func forward(
        _ tokens: [Int32], firstLogit: Int, rounding: BatchRounding,
        _ body: (Int, UnsafeBufferPointer<Float>) -> Void
    ) throws(GenerationError) {
        let c = model.configuration
        let n = tokens.count, all = 0..<n
        let p0 = cache.count
        func project(
            _ w: QuantizedMatrix, _ input: UnsafePointer<Float>, count: Int, into output: UnsafeMutablePointer<Float>,
            bias: [Float]? = nil
        ) throws(GenerationError) {
            try self.project(w, input, count: count, into: output, bias: bias, rounding: rounding)
        }

        try embed(tokens)
        traced(.embedding, rows: all)
        for l in 0..<c.layerCount {
            let layer = model.weights.layers[l]
            // x += Wo · attention(RoPE(Wq·norm(x) + bq), RoPE(Wk·norm(x) + bk), Wv·norm(x) + bv)
            normalize(x, rows: n, weight: layer.attentionNorm)
            traced(.attentionNorm, layer: l, rows: all)
            if n == 1 {
                try projectToken([(layer.query, q, layer.queryBias), (layer.key, k, layer.keyBias), (layer.value, v, layer.valueBias)])
            } else {
                try project(layer.query, xb, count: n, into: q, bias: layer.queryBias)
                try project(layer.key, xb, count: n, into: k, bias: layer.keyBias)
                try project(layer.value, xb, count: n, into: v, bias: layer.valueBias)
            }
            traced(.queryKeyValue, layer: l, rows: all)
            rotateAndCache(layer: l, count: n, start: p0)
            traced(.rotation, layer: l, rows: all)
            attend(layer: l, count: n, start: p0, rounding: rounding)
            traced(.attention, layer: l, rows: all)
            try project(layer.attentionOutput, attention, count: n, into: projected)
            DecoderKernels.add(x, projected, count: n * c.hiddenSize)
            traced(.attentionOutput, layer: l, rows: all)

            // x += W_down · (silu(W_gate·norm(x)) ⊙ W_up·norm(x)). The last block's output only feeds
            // the logits, so (as llama.cpp) it runs on the rows whose logits are wanted.
            let rows = (l == c.layerCount - 1 ? firstLogit : 0)..<n
            let xr = x + rows.lowerBound * c.hiddenSize
            normalize(xr, rows: rows.count, weight: layer.feedForwardNorm)
            traced(.feedForwardNorm, layer: l, rows: rows)
            if rows.count == 1 {
                try projectToken([(layer.gate, gate, nil), (layer.up, up, nil)])
            } else {
                try project(layer.gate, xb, count: rows.count, into: gate)
                try project(layer.up, xb, count: rows.count, into: up)
            }
            traced(.gateUp, layer: l, rows: rows)
            DecoderKernels.swiGLU(gate, up: up, rows: rows.count, width: c.intermediateSize)
            traced(.swiGLU, layer: l, rows: rows)
            try project(layer.down, gate, count: rows.count, into: projected)
            DecoderKernels.add(xr, projected, count: rows.count * c.hiddenSize)
            traced(.down, layer: l, rows: rows)
        }
        cache.count = p0 + n

        // Logits: output_norm, then the output matrix (by far the largest single product), in row blocks.
        var row = firstLogit
        while row < n {
            let count = min(logitRows, n - row)
            normalize(x + row * c.hiddenSize, rows: count, weight: model.weights.outputNorm)
            traced(.outputNorm, rows: 0..<count)
            try project(model.weights.output, xb, count: count, into: logits)
            traced(.logits, rows: 0..<count)
            for i in 0..<count {
                body(row + i, UnsafeBufferPointer(start: logits + i * c.vocabularySize, count: c.vocabularySize))
            }
            row += count
        }
    }

    @inline(__always)
    private func traced(_ step: DecoderStep, layer: Int = -1, rows: Range<Int>) {
        tracer?.after(step, layer: layer, rows: rows, in: self)
    }

    /// x (n, hidden) = the tokens' embedding rows.
    private func embed(_ tokens: [Int32]) throws(GenerationError) {
        let hidden = model.configuration.hiddenSize
        do {
            for (i, token) in tokens.enumerated() { try model.weights.tokenEmbedding.dequantizeRow(Int(token), into: x + i * hidden) }
        } catch {
            throw .kernelFailed(error.message)
        }
    }

    /// xb = RMSNorm(rows of `input`) · weight.
    private func normalize(_ input: UnsafePointer<Float>, rows n: Int, weight: [Float]) {
        let c = model.configuration
        weight.withUnsafeBufferPointer { weight in
            guard let w = weight.baseAddress else { return }
            for i in 0..<n {
                DecoderKernels.rmsNorm(input + i * c.hiddenSize, weight: w, into: xb + i * c.hiddenSize, count: c.hiddenSize, epsilon: c.rmsNormEps)
            }
        }
    }

    /// output (n, w.rows) = input (n, w.columns) · Wᵀ (+ bias): matrix-vector for one token (decode)
    /// and short batches, in llama.cpp's summation orders; matrix-matrix for longer ones (prefill).
    private func project(
        _ w: QuantizedMatrix, _ input: UnsafePointer<Float>, count n: Int, into output: UnsafeMutablePointer<Float>,
        bias: [Float]?, rounding: BatchRounding
    ) throws(GenerationError) {
        do {
            if rounding == .singleTokens, n > 1 {
                try w.multiply(vectors: input, count: n, into: output, pool: pool)
            } else if n < LlamaCppRounding.halfPrecisionAttentionBelow {
                let order = LlamaCppRounding.summationOrders(type: w.type, count: n)
                for i in 0..<n {
                    try w.multiply(vector: input + i * w.columns, into: output + i * w.rows, pool: pool, order: order(i))
                }
            } else {
                try w.multiply(batch: input, count: n, into: output, pool: pool)
            }
        } catch {
            throw .kernelFailed(error.message)
        }
        if let bias { add(bias, to: output, rows: n) }
    }

    /// Each of `rows` rows of `output` (bias.count wide) += bias.
    private func add(_ bias: [Float], to output: UnsafeMutablePointer<Float>, rows: Int) {
        bias.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return }
            for i in 0..<rows { DecoderKernels.add(output + i * b.count, base, count: b.count) }
        }
    }

    /// One token's products of several matrices that take the same input (xb), handed to the pool
    /// at once; each output row is what `project` would give it (a single token's rows are summed in
    /// the matrix-vector order either way).
    private func projectToken(_ products: [(QuantizedMatrix, UnsafeMutablePointer<Float>, [Float]?)]) throws(GenerationError) {
        do {
            try QuantizedMatrix.multiply(products.map { QuantizedMatrix.Product($0.0, into: $0.1) }, vector: xb, pool: pool)
        } catch {
            throw .kernelFailed(error.message)
        }
        for (_, output, bias) in products {
            if let bias { add(bias, to: output, rows: 1) }
        }
    }

    /// RoPE on q and k at their positions; k and v into the cache.
    private func rotateAndCache(layer l: Int, count n: Int, start p0: Int) {
        let c = model.configuration
        for i in 0..<n {
            DecoderKernels.ropeAngles(position: p0 + i, headDim: c.headDim, base: c.ropeTheta, cos: ropeCos, sin: ropeSin)
            DecoderKernels.rope(q + i * c.queryDim, heads: c.headCount, headDim: c.headDim, style: c.ropeStyle, cos: ropeCos, sin: ropeSin)
            DecoderKernels.rope(k + i * c.kvDim, heads: c.kvHeadCount, headDim: c.headDim, style: c.ropeStyle, cos: ropeCos, sin: ropeSin)
            for h in 0..<c.kvHeadCount {
                let keys = cache.key(layer: l, head: h, position: p0 + i)
                let values = cache.value(layer: l, head: h, position: p0 + i)
                let offset = i * c.kvDim + h * c.headDim
                for d in 0..<c.headDim {
                    keys[d] = LlamaCppRounding.cached(k[offset + d])
                    values[d] = LlamaCppRounding.cached(v[offset + d])
                }
            }
        }
    }

    /// The F32 attention kernel's level (AVX-512 where the CPU has it).
    private static let attentionLevel = sotto_quant_best_level()

    /// attention (n, heads·headDim) = causal softmax(q·kᵀ·scale)·v, per head, against the cache.
    /// Work items are (head, token) in head-major order, so each thread gets whole heads and the
    /// causal triangle's cost is shared evenly. In half precision (decoding, verification, short
    /// batches) a thread's items of one key-value head go to the kernel together, which reads the
    /// cache once for all of them.
    private func attend(layer l: Int, count n: Int, start p0: Int, rounding: BatchRounding) {
        let c = model.configuration
        let group = c.headCount / c.kvHeadCount
        let headDim = c.headDim
        let scale = 1 / Float(headDim).squareRoot()
        let items = c.headCount * n
        let parts = pool.threads
        let halfPrecision = rounding == .singleTokens || n < LlamaCppRounding.halfPrecisionAttentionBelow
        pool.parallelFor(parts) { partRange in
            for part in partRange {
                let lower = items * part / parts, upper = items * (part + 1) / parts
                if halfPrecision {
                    self.attendHalfPrecision(layer: l, items: lower..<upper, count: n, start: p0, scale: scale, part: part)
                    continue
                }
                let s = self.scores + part * self.cache.capacity
                for item in lower..<upper {
                    let h = item / n, i = item % n
                    let kvHead = h / group
                    let length = p0 + i + 1
                    let keys = self.cache.key(layer: l, head: kvHead, position: 0)
                    let values = self.cache.value(layer: l, head: kvHead, position: 0)
                    let out = self.attention + i * c.queryDim + h * headDim
                    var rows = sotto_attention_rows(
                        q: self.q + i * c.queryDim + h * headDim, ldq: c.queryDim, k: keys, v: values, head_dim: headDim, count: 1,
                        first: length - 1, scale: scale, scores: s, out: out, ldo: c.queryDim)
                    sotto_attention_f32(&rows, Self.attentionLevel)
                }
            }
        }
    }

    /// Queries a half-precision attention call takes at most (its scratch is sized for them).
    static let queriesPerCall = 64

    /// The (head, token) items `items` (head-major), in runs that share a key-value head.
    private func attendHalfPrecision(layer l: Int, items: Range<Int>, count n: Int, start p0: Int, scale: Float, part: Int) {
        let c = model.configuration
        let group = c.headCount / c.kvHeadCount
        let scratch = headScratch + part * Self.queriesPerCall * (2 * c.headDim + 2)
        withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: Self.queriesPerCall) { queries in
            withUnsafeTemporaryAllocation(of: UnsafeMutablePointer<Float>?.self, capacity: Self.queriesPerCall) { outs in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: Self.queriesPerCall) { lengths in
                    guard let queryBase = queries.baseAddress, let outBase = outs.baseAddress, let lengthBase = lengths.baseAddress
                    else { return }
                    var first = items.lowerBound
                    while first < items.upperBound {
                        let kvHead = first / n / group
                        let end = min(items.upperBound, (kvHead + 1) * group * n, first + Self.queriesPerCall)
                        for (j, item) in (first..<end).enumerated() {
                            let h = item / n, i = item % n
                            queries[j] = UnsafePointer(q + i * c.queryDim + h * c.headDim)
                            outs[j] = attention + i * c.queryDim + h * c.headDim
                            lengths[j] = p0 + i + 1
                        }
                        DecoderKernels.attendHalfPrecision(
                            queries: queryBase, outs: outBase, lengths: lengthBase, count: end - first,
                            keys: cache.key(layer: l, head: kvHead, position: 0), values: cache.value(layer: l, head: kvHead, position: 0),
                            headDim: c.headDim, scale: scale, scratch: scratch)
                        first = end
                    }
                }
            }
        }
    }
}
