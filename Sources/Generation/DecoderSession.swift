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
    let headScratch: UnsafeMutablePointer<Float>  // (threads, 2·headDim) query and accumulator of one head
    let ropeCos: UnsafeMutablePointer<Float>  // (headDim/2)
    let ropeSin: UnsafeMutablePointer<Float>
    let logits: UnsafeMutablePointer<Float>   // (logitRows, vocabulary)
    private var allocations: [UnsafeMutableRawPointer] = []
    /// Debugging parity with llama.cpp: when set, sees intermediate tensors of short batches by
    /// llama.cpp's graph names (`name`, layer or -1, values, count). Tests only.
    var tap: ((String, Int, UnsafePointer<Float>, Int) -> Void)?

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
        headScratch = try buffer(threadCount * 2 * c.headDim)
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
    public func evaluate(
        _ tokens: [Int32], logitsFrom first: Int, _ body: (Int, UnsafeBufferPointer<Float>) -> Void
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
            forward(chunk, firstLogit: wanted.lowerBound < n ? wanted.lowerBound : n) { row, logits in
                body(start + row, logits)
            }
            self.tokens += chunk
            start += n
        }
    }

    /// x = W·xᵀ for n rows: matrix-vector for one token (decode) and short batches, matrix-matrix
    /// for longer ones (prefill).
    @inline(__always)
    private func project(
        _ w: QuantizedMatrix, _ input: UnsafePointer<Float>, count n: Int, into output: UnsafeMutablePointer<Float>
    ) {
        if n < Self.halfPrecisionAttentionBelow {
            // Short batches row by row: the activations are quantized and summed exactly as
            // llama.cpp's kernels do, so short prompts give llama.cpp's logits. It multiplies K-quant
            // batches in other kernels than single tokens, which round the sums differently: those
            // rows take its batched order.
            let batched = DecoderKernels.batchedRows(type: w.type, count: n)
            for i in 0..<n {
                w.multiply(
                    vector: input + i * w.columns, into: output + i * w.rows, pool: pool,
                    order: batched.contains(i) ? .batched : .vector)
            }
        } else {
            w.multiply(batch: input, count: n, into: output, pool: pool)
        }
    }

    private func addBias(_ bias: [Float]?, to y: UnsafeMutablePointer<Float>, rows n: Int, width: Int) {
        guard let bias else { return }
        bias.withUnsafeBufferPointer { b in
            for i in 0..<n { DecoderKernels.add(y + i * width, b.baseAddress!, count: width) }
        }
    }

    /// The forward pass over n ≤ maxBatch tokens at positions cache.count ..< cache.count + n.
    /// Logits are computed for rows firstLogit..<n only.
    private func forward(_ tokens: [Int32], firstLogit: Int, _ body: (Int, UnsafeBufferPointer<Float>) -> Void) {
        let c = model.configuration
        let w = model.weights
        let n = tokens.count
        let p0 = cache.count
        let hidden = c.hiddenSize

        // x: (n, hidden) = token_embd rows
        for i in 0..<n { w.tokenEmbedding.dequantizeRow(Int(tokens[i]), into: x + i * hidden) }
        tap?("embd", -1, x, n * hidden)

        for l in 0..<c.layerCount {
            let layer = w.layers[l]
            // Attention: norm → q, k, v (+ biases) → RoPE → cache → softmax(q·kᵀ/√d)·v → attn_output.
            layer.attentionNorm.withUnsafeBufferPointer { weight in
                for i in 0..<n {
                    DecoderKernels.rmsNorm(x + i * hidden, weight: weight.baseAddress!, into: xb + i * hidden, count: hidden, epsilon: c.rmsNormEps)
                }
            }
            tap?("attn_norm", l, xb, n * hidden)
            project(layer.query, xb, count: n, into: q)
            project(layer.key, xb, count: n, into: k)
            project(layer.value, xb, count: n, into: v)
            addBias(layer.queryBias, to: q, rows: n, width: c.queryDim)
            addBias(layer.keyBias, to: k, rows: n, width: c.kvDim)
            addBias(layer.valueBias, to: v, rows: n, width: c.kvDim)
            tap?("Qcur", l, q, n * c.queryDim)
            tap?("Kcur", l, k, n * c.kvDim)
            tap?("Vcur", l, v, n * c.kvDim)
            for i in 0..<n {
                DecoderKernels.ropeAngles(position: p0 + i, headDim: c.headDim, base: c.ropeTheta, cos: ropeCos, sin: ropeSin)
                DecoderKernels.rope(q + i * c.queryDim, heads: c.headCount, headDim: c.headDim, style: c.ropeStyle, cos: ropeCos, sin: ropeSin)
                DecoderKernels.rope(k + i * c.kvDim, heads: c.kvHeadCount, headDim: c.headDim, style: c.ropeStyle, cos: ropeCos, sin: ropeSin)
                for h in 0..<c.kvHeadCount {
                    let kd = cache.key(layer: l, head: h, position: p0 + i)
                    let vd = cache.value(layer: l, head: h, position: p0 + i)
                    for d in 0..<c.headDim {
                        kd[d] = DecoderKernels.roundToHalf(k[i * c.kvDim + h * c.headDim + d])
                        vd[d] = DecoderKernels.roundToHalf(v[i * c.kvDim + h * c.headDim + d])
                    }
                }
            }
            tap?("Qrope", l, q, n * c.queryDim)
            tap?("Krope", l, k, n * c.kvDim)
            attend(layer: l, count: n, start: p0)
            tap?("kqv_out", l, attention, n * c.queryDim)
            project(layer.attentionOutput, attention, count: n, into: projected)
            tap?("attn_out", l, projected, n * hidden)
            DecoderKernels.add(x, projected, count: n * hidden)
            tap?("ffn_inp", l, x, n * hidden)

            // MLP: norm → down(silu(gate) · up). The last block's only feeds the logits, so (as
            // llama.cpp) it runs on the rows whose logits are wanted: m rows from r0.
            let r0 = l == c.layerCount - 1 ? firstLogit : 0
            let m = n - r0
            let xr = x + r0 * hidden
            layer.feedForwardNorm.withUnsafeBufferPointer { weight in
                for i in 0..<m {
                    DecoderKernels.rmsNorm(xr + i * hidden, weight: weight.baseAddress!, into: xb + i * hidden, count: hidden, epsilon: c.rmsNormEps)
                }
            }
            project(layer.gate, xb, count: m, into: gate)
            project(layer.up, xb, count: m, into: up)
            tap?("ffn_norm", l, xb, m * hidden)
            tap?("ffn_gate", l, gate, m * c.intermediateSize)
            tap?("ffn_up", l, up, m * c.intermediateSize)
            DecoderKernels.swiGLU(gate, up: up, rows: m, width: c.intermediateSize)
            tap?("ffn_swiglu", l, gate, m * c.intermediateSize)
            project(layer.down, gate, count: m, into: projected)
            tap?("ffn_out", l, projected, m * hidden)
            DecoderKernels.add(xr, projected, count: m * hidden)
            tap?("l_out", l, xr, m * hidden)
        }
        cache.count = p0 + n

        // Logits: output_norm, then the output matrix (by far the largest single matvec), in row blocks.
        var row = firstLogit
        while row < n {
            let rows = min(logitRows, n - row)
            w.outputNorm.withUnsafeBufferPointer { weight in
                for i in 0..<rows {
                    DecoderKernels.rmsNorm(x + (row + i) * hidden, weight: weight.baseAddress!, into: xb + i * hidden, count: hidden, epsilon: c.rmsNormEps)
                }
            }
            tap?("result_norm", -1, xb, rows * hidden)
            project(w.output, xb, count: rows, into: logits)
            tap?("result_output", -1, logits, rows * c.vocabularySize)
            for i in 0..<rows {
                body(row + i, UnsafeBufferPointer(start: logits + i * c.vocabularySize, count: c.vocabularySize))
            }
            row += rows
        }
    }

    /// Below this many tokens per pass llama.cpp's CPU flash attention runs row by row with the
    /// query and the output accumulator in F16; from it on, in F32 tiles.
    static let halfPrecisionAttentionBelow = 64

    /// The F32 attention kernel's level (AVX-512 where the CPU has it).
    private static let attentionLevel = sotto_quant_best_level()

    /// attention (n, heads·headDim) = causal softmax(q·kᵀ·scale)·v, per head, against the cache.
    /// Work items are (head, token) in head-major order, so each thread gets whole heads and the
    /// causal triangle's cost is shared evenly.
    private func attend(layer l: Int, count n: Int, start p0: Int) {
        let c = model.configuration
        let group = c.headCount / c.kvHeadCount
        let headDim = c.headDim
        let scale = 1 / Float(headDim).squareRoot()
        let items = c.headCount * n
        let parts = pool.threads
        let halfPrecision = n < Self.halfPrecisionAttentionBelow
        pool.parallelFor(parts) { partRange in
            for part in partRange {
                let lower = items * part / parts, upper = items * (part + 1) / parts
                let s = self.scores + part * self.cache.capacity
                let query = self.headScratch + part * 2 * headDim
                let accumulator = query + headDim
                for item in lower..<upper {
                    let h = item / n, i = item % n
                    let kvHead = h / group
                    let length = p0 + i + 1
                    let keys = self.cache.key(layer: l, head: kvHead, position: 0)
                    let values = self.cache.value(layer: l, head: kvHead, position: 0)
                    let out = self.attention + i * c.queryDim + h * headDim
                    let q = self.q + i * c.queryDim + h * headDim
                    if halfPrecision {
                        for d in 0..<headDim { query[d] = DecoderKernels.roundToHalf(q[d]) }
                        DecoderKernels.attendHalfPrecision(
                            query: query, keys: keys, values: values, length: length, headDim: headDim, scale: scale,
                            accumulator: accumulator, into: out)
                        continue
                    }
                    sotto_attention_f32(
                        q, c.queryDim, keys, values, headDim, 1, length - 1, scale, s, out, c.queryDim, Self.attentionLevel)
                }
            }
        }
    }
}
