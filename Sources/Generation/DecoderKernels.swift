import Foundation

/// The small per-token operations of the forward pass, written to round as llama.cpp's CPU ops do.
/// (The matrix work, where the time goes, is in Quant.)
enum DecoderKernels {
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

    /// Rotates `heads` heads of `headDim` values in place.
    static func rope(
        _ x: UnsafeMutablePointer<Float>, heads: Int, headDim: Int, style: RoPEStyle,
        cos: UnsafePointer<Float>, sin: UnsafePointer<Float>
    ) {
        let half = headDim / 2
        for h in 0..<heads {
            let v = x + h * headDim
            switch style {
            case .adjacentPairs:
                for i in 0..<half {
                    let x0 = v[2 * i], x1 = v[2 * i + 1]
                    v[2 * i] = x0 * cos[i] - x1 * sin[i]
                    v[2 * i + 1] = x0 * sin[i] + x1 * cos[i]
                }
            case .halves:
                for i in 0..<half {
                    let x0 = v[i], x1 = v[i + half]
                    v[i] = x0 * cos[i] - x1 * sin[i]
                    v[i + half] = x0 * sin[i] + x1 * cos[i]
                }
            }
        }
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

    /// Rounds eight floats to half precision (nearest, ties to even), kept as floats. Exact in the
    /// half-precision normal range (|x| ≥ 2^-14).
    @inline(__always)
    static func roundToHalf(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let bits = unsafeBitCast(x, to: SIMD8<UInt32>.self)
        let rounded = (bits &+ 0x0FFF &+ ((bits &>> 13) & 1)) & 0xFFFF_E000
        return unsafeBitCast(rounded, to: SIMD8<Float>.self)
    }

    /// q·k of two half-precision rows as ggml's AVX-512 F16 dot sums it: four 16-lane F32
    /// accumulators over steps of 64, added pairwise, then the 16 lanes reduced as a tree. (The
    /// products of two halves are exact in F32, so only the order of the sums matters.)
    @inline(__always)
    static func halfDot(_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, count n: Int) -> Float {
        guard n % 64 == 0 else { return dot(q, k, count: n) }
        let rq = UnsafeRawPointer(q), rk = UnsafeRawPointer(k)
        var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
        var i = 0
        while i < n {
            s0 += rq.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) * rk.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            s1 += rq.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self) * rk.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
            s2 += rq.loadUnaligned(fromByteOffset: (i + 32) * 4, as: SIMD16<Float>.self) * rk.loadUnaligned(fromByteOffset: (i + 32) * 4, as: SIMD16<Float>.self)
            s3 += rq.loadUnaligned(fromByteOffset: (i + 48) * 4, as: SIMD16<Float>.self) * rk.loadUnaligned(fromByteOffset: (i + 48) * 4, as: SIMD16<Float>.self)
            i += 64
        }
        let a = (s0 + s2) + (s1 + s3)
        let b = a.highHalf + a.lowHalf
        let c = b.highHalf + b.lowHalf
        return (c[0] + c[2]) + (c[1] + c[3])
    }

    /// One query row of llama.cpp's CPU flash attention for short batches: online softmax in key
    /// order, the output accumulated in F16 (rounded after every step), divided by the sum at the end.
    static func attendHalfPrecision(
        query: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, length: Int,
        headDim: Int, scale: Float, accumulator acc: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>
    ) {
        acc.update(repeating: 0, count: headDim)
        var maximum = -Float.infinity
        var sum: Float = 0
        for t in 0..<length {
            let s = halfDot(query, keys + t * headDim, count: headDim) * scale
            var ms: Float = 1, vs: Float = 1
            if s > maximum {
                ms = Foundation.exp(maximum - s)
                maximum = s
                for d in 0..<headDim { acc[d] = roundToHalf(acc[d] * ms) }
            } else {
                vs = Foundation.exp(s - maximum)
            }
            let v = values + t * headDim
            if headDim % 8 == 0 {
                // The hot loop of decode: eight lanes, rounding by bit arithmetic (the accumulator
                // stays far above the half-precision subnormals that need the scalar path).
                let factor = SIMD8<Float>(repeating: vs)
                let ra = UnsafeMutableRawPointer(acc), rv = UnsafeRawPointer(v)
                var d = 0
                while d < headDim {
                    let a = ra.loadUnaligned(fromByteOffset: d * 4, as: SIMD8<Float>.self)
                        + rv.loadUnaligned(fromByteOffset: d * 4, as: SIMD8<Float>.self) * factor
                    ra.storeBytes(of: roundToHalf(a), toByteOffset: d * 4, as: SIMD8<Float>.self)
                    d += 8
                }
            } else {
                for d in 0..<headDim { acc[d] = roundToHalf(acc[d] + v[d] * vs) }
            }
            sum = sum * ms + vs
        }
        let inverse: Float = sum == 0 ? 0 : 1 / sum
        for d in 0..<headDim { out[d] = acc[d] * inverse }
    }

    /// gate = silu(gate) · up.
    static func swiGLU(_ gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count n: Int) {
        for i in 0..<n {
            let g = gate[i]
            gate[i] = g / (1 + Foundation.exp(-g)) * up[i]
        }
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
