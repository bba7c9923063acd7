/// The steps of one forward pass, in order; a `DecoderTracer` is shown the session's buffers after
/// each (tests compare them with llama.cpp's intermediate tensors).
enum DecoderStep: Sendable, CaseIterable {
    case embedding        // x: the token embeddings
    case attentionNorm    // xb: norm(x)
    case queryKeyValue    // q, k, v: the projections (with their biases)
    case rotation         // q, k: after RoPE (k and v are in the cache)
    case attention        // attention: softmax(q·kᵀ/√d)·v
    case attentionOutput  // projected: Wo·attention; x: the residual stream after adding it
    case feedForwardNorm  // xb: norm(x), for `rows`
    case gateUp           // gate, up
    case swiGLU           // gate: silu(gate)·up
    case down             // projected: W_down·gate; x: the residual stream after adding it (`rows`)
    case outputNorm       // xb: norm(x) of the logit rows (`rows` counts them from xb's first row)
    case logits           // logits
}

/// Sees the forward pass after each step: `layer` is -1 outside the blocks, `rows` the token rows
/// the step computed. Nil in production, where it costs one check per step.
protocol DecoderTracer: AnyObject {
    func after(_ step: DecoderStep, layer: Int, rows: Range<Int>, in session: DecoderSession)
}
