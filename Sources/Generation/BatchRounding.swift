/// How a forward pass over several tokens rounds its sums.
public enum BatchRounding: Sendable, Equatable {
    /// As llama.cpp rounds a prompt batch of that length (its batched kernels from a few rows on).
    case prompt
    /// Every row exactly as a pass over that one token would round it (matrix-vector summation
    /// order, half-precision attention), the weights still read once for all rows: how a
    /// speculative decoder checks drafted tokens without changing a single logit.
    case singleTokens
}
