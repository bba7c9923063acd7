import CKernels

/// The element-wise and row-wise kernels of the encoder, written as plain loops over raw pointers
/// so the optimiser can vectorise them. Each has a plain, slow twin in `Kernels+Reference.swift`
/// and a test that holds the two together.
///
/// All matrices are row-major; `rows × columns` with rows contiguous unless a leading dimension is given.
enum Kernels {
    // MARK: Scalar building blocks (branch-free, so loops over them vectorise)

    /// e^x within about 2 ulp for x in [-87, 88] (clamped outside). Range reduction x = k·ln2 + r
    /// with |r| ≤ ln2/2, a degree-7 Taylor polynomial for e^r, and 2^k built from its bits.
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        let clamped = Swift.min(Swift.max(x, -87), 88)
        // Adding 1.5·2^23 rounds to the nearest integer and leaves k in the low mantissa bits.
        let shifter: Float = 12_582_912
        let shifted = clamped * 1.442_695_04 + shifter
        let k = shifted - shifter
        let r = (clamped - k * 0.693_145_751_953_125) - k * 1.428_606_765_330_187e-06
        var p: Float = 1.0 / 5040
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let kBits = Int32(bitPattern: shifted.bitPattern) &- 0x4B40_0000
        let scale = Float(bitPattern: UInt32(bitPattern: (kBits &+ 127) &<< 23))
        return p * scale
    }

    /// erf(x) within 4e-7 absolute: x·P(x²)/Q(x²) on [-4, 4], degrees 6 and 5 in x², fitted to erf
    /// by iteratively reweighted least squares (3e-9 in Double; the rest is Float rounding).
    /// Beyond ±4, erf is ±1 to single precision. A rational function keeps the loop branch-free;
    /// the C library's erff is a call per element and would cost more than the FFN's sgemm.
    @inline(__always)
    static func erf(_ x: Float) -> Float {
        let z = Swift.min(Swift.max(x, -4), 4)
        let s = z * z
        var p: Float = -1.369_502_378_167_908_3e-08
        p = p * s + 4.787_317_720_911_233e-06
        p = p * s + 0.000_382_898_637_326_434_25
        p = p * s + 0.003_837_558_208_033_442_5
        p = p * s + 0.054_329_577_833_414_08
        p = p * s + 0.184_642_180_800_437_93
        p = p * s + 1.128_379_225_730_896
        var q: Float = 6.407_477_485_481_65e-05
        q = q * s + 0.001_309_462_822_973_728_2
        q = q * s + 0.015_450_255_014_002_323
        q = q * s + 0.113_803_468_644_618_99
        q = q * s + 0.496_968_418_359_756_47
        q = q * s + 1
        return z * p / q
    }

    /// GELU as BERT defines it: x·Φ(x) = ½x(1 + erf(x/√2)).
    @inline(__always)
    static func gelu(_ x: Float) -> Float {
        0.5 * x * (1 + erf(x * 0.707_106_781_186_547_6))
    }

    /// The tanh approximation of GELU ("gelu_new", "gelu_pytorch_tanh").
    @inline(__always)
    static func geluTanh(_ x: Float) -> Float {
        let u = Swift.min(Swift.max(0.797_884_560_802_865_4 * (x + 0.044_715 * x * x * x), -9), 9)
        let tanh = 1 - 2 / (exp(2 * u) + 1)
        return 0.5 * x * (1 + tanh)
    }

    // MARK: Reductions (eight partial sums, since the optimiser may not reorder float additions)

    @inline(__always)
    static func sum(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var partial = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            partial += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var total = partial.sum()
        while i < count { total += x[i]; i += 1 }
        return total
    }

    @inline(__always)
    static func maximum(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var partial = SIMD8<Float>(repeating: -.infinity)
        var i = 0
        while i + 8 <= count {
            // replacing(with:where:) rather than pointwiseMax, which the optimiser left as a call per step.
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            partial.replace(with: v, where: v .> partial)
            i += 8
        }
        var result = partial.max()
        while i < count { result = Swift.max(result, x[i]); i += 1 }
        return result
    }

    // MARK: Kernels

    /// c[r, j] += bias[j] for a rows × columns matrix.
    static func addBias(_ c: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>) {
        for r in 0..<rows {
            let row = c + r * columns
            for j in 0..<columns { row[j] += bias[j] }
        }
    }

    /// c[r, j] = bias[j] for a rows × columns matrix: the starting C of an sgemm with beta = 1.
    static func fillRows(_ c: UnsafeMutablePointer<Float>, rows: Int, columns: Int, with bias: UnsafePointer<Float>) {
        for r in 0..<rows {
            (c + r * columns).update(from: bias, count: columns)
        }
    }

    /// Whether the AVX2 + FMA versions in CKernels can run here (they do the same arithmetic,
    /// eight lanes at a time with FMA, where the portable Swift loops get four-lane SSE).
    static let hasAVX2 = sotto_kernels_have_avx2() != 0

    /// c[i] = GELU(c[i]) for `count` values.
    static func applyGELU(_ c: UnsafeMutablePointer<Float>, count: Int, tanhApproximation: Bool) {
        if !tanhApproximation, hasAVX2 {
            sotto_gelu_avx2(c, count)
        } else {
            applyGELUPortable(c, count: count, tanhApproximation: tanhApproximation)
        }
    }

    static func applyGELUPortable(_ c: UnsafeMutablePointer<Float>, count: Int, tanhApproximation: Bool) {
        if tanhApproximation {
            for i in 0..<count { c[i] = geluTanh(c[i]) }
        } else {
            for i in 0..<count { c[i] = gelu(c[i]) }
        }
    }

    /// c[r, j] = GELU(c[r, j] + bias[j]): the FFN's up projection, fused so the big
    /// intermediate matrix is read and written once.
    static func addBiasGELU(_ c: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>, tanhApproximation: Bool) {
        for r in 0..<rows {
            let row = c + r * columns
            if tanhApproximation {
                for j in 0..<columns { row[j] = geluTanh(row[j] + bias[j]) }
            } else {
                for j in 0..<columns { row[j] = gelu(row[j] + bias[j]) }
            }
        }
    }

    /// x[r] = LayerNorm(x[r] + y[r] + bias) · gamma + beta, row by row: a sublayer's output
    /// projection bias, the residual connection and the post-norm in one pass.
    static func addBiasResidualLayerNorm(
        _ x: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, rows: Int, columns: Int,
        bias: UnsafePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float
    ) {
        for r in 0..<rows {
            let row = x + r * columns
            let other = y + r * columns
            for j in 0..<columns { row[j] += other[j] + bias[j] }
            normalizeRow(row, columns: columns, gamma: gamma, beta: beta, epsilon: epsilon)
        }
    }

    /// x[r] = LayerNorm(x[r]) · gamma + beta, row by row.
    static func layerNorm(
        _ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float
    ) {
        for r in 0..<rows {
            normalizeRow(x + r * columns, columns: columns, gamma: gamma, beta: beta, epsilon: epsilon)
        }
    }

    @inline(__always)
    private static func normalizeRow(
        _ row: UnsafeMutablePointer<Float>, columns: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float
    ) {
        let mean = sum(row, columns) / Float(columns)
        // Two passes (mean, then squared deviations) to avoid the cancellation of E[x²] − E[x]².
        var partial = SIMD8<Float>()
        var i = 0
        while i + 8 <= columns {
            let d = UnsafeRawPointer(row + i).loadUnaligned(as: SIMD8<Float>.self) - mean
            partial += d * d
            i += 8
        }
        var squares = partial.sum()
        while i < columns { let d = row[i] - mean; squares += d * d; i += 1 }
        let scale = 1 / (squares / Float(columns) + epsilon).squareRoot()
        for j in 0..<columns { row[j] = (row[j] - mean) * scale * gamma[j] + beta[j] }
    }

    /// Softmax of each row of a rows × columns block with leading dimension `stride`, in place.
    static func softmaxRows(_ s: UnsafeMutablePointer<Float>, rows: Int, columns: Int, stride: Int) {
        if hasAVX2 {
            sotto_softmax_rows_avx2(s, rows, columns, stride)
        } else {
            softmaxRowsPortable(s, rows: rows, columns: columns, stride: stride)
        }
    }

    static func softmaxRowsPortable(_ s: UnsafeMutablePointer<Float>, rows: Int, columns: Int, stride: Int) {
        for r in 0..<rows {
            let row = s + r * stride
            let largest = maximum(row, columns)
            for j in 0..<columns { row[j] = exp(row[j] - largest) }
            let scale = 1 / sum(row, columns)
            for j in 0..<columns { row[j] *= scale }
        }
    }
}
