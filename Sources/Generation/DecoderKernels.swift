import CKernels
import Foundation
import GGUF
import Quant

/// The small per-token operations of the forward pass, written to round as llama.cpp's CPU ops do.
/// (The matrix work, where the time goes, is in Quant.)
enum DecoderKernels {
    /// The C kernels' level (CKernelsQuant.h): the element-wise operations in C take the same one.
    static let level = sotto_quant_best_level()

    /// y = x / sqrt(mean(x²) + eps) · weight; the sum of squares in Double as ggml does.
    static func rmsNorm(
        _ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
        count n: Int, epsilon: Float
    ) {
        var sum = 0.0
        for i in 0..<n { sum += Double(x[i] * x[i]) }
        let mean = Float(sum / Double(n))
        let scale = 1 / (mean + epsilon).squareRoot()
        for i in 0..<n { y[i] = (x[i] * scale) * weight[i] }
    }

    /// cos and sin of each frequency at `position`, as ggml's rope cache builds them
    /// (theta multiplied up in Float, not recomputed with pow: that is what llama.cpp rounds to).
    static func ropeAngles(
        position: Int, headDim: Int, base: Float, cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>
    ) {
        let thetaScale = Foundation.pow(base, -2 / Float(headDim))
        var theta = Float(position)
        for i in 0..<(headDim / 2) {
            cos[i] = Foundation.cos(theta)
            sin[i] = Foundation.sin(theta)
            theta *= thetaScale
        }
    }

    /// The token rows of an n-row product that llama.cpp's CPU build (AVX-512, repacked Q4_K) sums
    /// in its batched order: every row of a Q6_K product from 8 rows on (its tiled matmul), the rows
    /// in whole groups of 4 of a Q4_K product (its q4_K_8x8 gemm; the rest take its gemv).
    static func batchedRows(type: GGMLType, count n: Int) -> Range<Int> {
        switch type {
        case .q6_K: n >= 8 ? 0..<n : 0..<0
        case .q4_K: 0..<(n - n % 4)
        default: 0..<0
        }
    }

    /// Rotates `heads` heads of `headDim` values in place. The products are fused as GCC contracts
    /// ggml's `x0*cos - x1*sin` and `x0*sin + x1*cos` (the second product rounded, the first fused);
    /// in C, where the fused multiply-add is one instruction.
    static func rope(
        _ x: UnsafeMutablePointer<Float>, heads: Int, headDim: Int, style: RoPEStyle,
        cos: UnsafePointer<Float>, sin: UnsafePointer<Float>, level: Int32 = DecoderKernels.level
    ) {
        sotto_decoder_rope(x, heads, headDim, style == .halves ? 1 : 0, cos, sin, level)
    }

    /// Rounds to the nearest half-precision value (llama.cpp's F16 KV cache and F16 query), kept as
    /// a Float. Bit arithmetic rather than `Float16(x)`: without F16C that conversion is a library
    /// call, and the attention accumulator rounds millions of values per token.
    @inline(__always)
    static func roundToHalf(_ x: Float) -> Float {
        let magnitude = abs(x)
        if magnitude < 0x1p-14 {
            // Half-precision subnormals: multiples of 2^-24.
            return (x * 0x1p24).rounded(.toNearestOrEven) * 0x1p-24
        }
        if magnitude >= 65_520 { return x < 0 ? -.infinity : .infinity }
        let bits = x.bitPattern
        return Float(bitPattern: (bits &+ 0x0FFF &+ ((bits >> 13) & 1)) & 0xFFFF_E000)
    }

    /// One query row of llama.cpp's CPU flash attention for short batches: online softmax in key
    /// order, the output accumulated in F16 (fused multiply-add, then rounded), divided by the sum at
    /// the end. `query`, `keys` and `values` hold half-precision values.
    static func attendHalfPrecision(
        query: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, length: Int,
        headDim: Int, scale: Float, accumulator acc: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>,
        level: Int32 = DecoderKernels.level
    ) {
        sotto_decoder_attend_f16(query, keys, values, length, headDim, scale, acc, out, level)
    }

    /// attendHalfPrecision for `count` queries against one cache (each as that function computes it
    /// alone, the rows read once for all): query j, not yet rounded, attends to the first lengths[j]
    /// rows into outs[j]. `scratch`: count·(2·headDim + 2) floats.
    static func attendHalfPrecision(
        queries: UnsafePointer<UnsafePointer<Float>?>, outs: UnsafePointer<UnsafeMutablePointer<Float>?>,
        lengths: UnsafePointer<Int>, count: Int, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, headDim: Int,
        scale: Float, scratch: UnsafeMutablePointer<Float>, level: Int32 = DecoderKernels.level
    ) {
        sotto_decoder_attend_f16_many(queries, outs, lengths, count, keys, values, headDim, scale, scratch, level)
    }

    /// gate = silu(gate) · up, row by row (`rows` rows of `width`) as ggml's SWIGLU op, with its
    /// vectorised exp (the rounding of which the next layer's 8-bit activations see).
    static func swiGLU(
        _ gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, rows: Int, width: Int,
        level: Int32 = DecoderKernels.level
    ) {
        for r in 0..<rows { sotto_decoder_swiglu(gate + r * width, up + r * width, width, level) }
    }

    @inline(__always)
    static func add(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count n: Int) {
        for i in 0..<n { y[i] += x[i] }
    }

    /// Σ a[i]·b[i] with eight lanes (n need not be a multiple of 8).
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count n: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while i + 8 <= n {
            acc += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        var sum = acc.sum()
        while i < n {
            sum += a[i] * b[i]
            i += 1
        }
        return sum
    }

    /// y += s·x.
    @inline(__always)
    static func axpy(_ s: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
        var i = 0
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        let sv = SIMD8<Float>(repeating: s)
        while i + 8 <= n {
            let v = ry.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                + sv * rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            ry.storeBytes(of: v, toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n {
            y[i] += s * x[i]
            i += 1
        }
    }
}
