import GGUF
import Quant

/// Where the forward pass rounds as llama.cpp's CPU build does (an F16 KV cache, flash attention,
/// its kernels' summation orders), so that short prompts give llama.cpp's logits and its greedy
/// continuations (Tests/GenerationTests/Fixtures/README.md). Each choice is one of these names; the
/// rest of the forward pass is the model as the paper writes it.
enum LlamaCppRounding {
    /// Below this many tokens per pass llama.cpp's CPU flash attention runs row by row with the query
    /// and the output accumulator in F16 (`DecoderKernels.attendHalfPrecision`, which rounds the
    /// queries itself); from it on, in F32
    /// tiles (`sotto_attention_f32`). Its matrix products differ at the same boundary: shorter batches
    /// are multiplied row by row, in the order of `summationOrder`.
    static let halfPrecisionAttentionBelow = 64

    /// Keys and values as llama.cpp's default cache stores them: F16.
    @inline(__always)
    static func cached(_ x: Float) -> Float { DecoderKernels.roundToHalf(x) }

    /// The order in which row `row` of an n-row product of a `type` matrix is summed: llama.cpp
    /// multiplies K-quant batches in other kernels than single tokens (Q6_K's tiled matmul from 8
    /// rows, Q4_K's repacked gemm in groups of 4), which round the sums differently.
    static func summationOrders(type: GGMLType, count n: Int) -> (Int) -> QuantizedMatrix.SummationOrder {
        let batched = DecoderKernels.batchedRows(type: type, count: n)
        return { batched.contains($0) ? .batched : .vector }
    }
}
