import GGUF
@testable import Quant
import Testing

/// Each kernel (AVX-512 VNNI, AVX2 and portable, as the CPU has them) against the reference: dequantize the weights in Swift, dot in
/// Double. Two checks per row:
/// 1. Against the activations *as quantized* (decoded here from their bytes): only float rounding
///    differs, so |kernel − exact| ≤ 1e-5·Σ|w·x̂| (+1e-6).
/// 2. Against the float activations: quantizing x to 8 bits moves each value by at most half a step
///    (amax/254 per block) plus the f16 rounding of the block scale (≤ 127 steps × 2⁻¹¹ relative),
///    so |kernel − Σw·x| ≤ Σ_blocks amax_b·(1/254 + 127/2048/127)·Σ_{j∈b}|w_j| + the same rounding slack.
@Suite struct QuantKernelTests {
    static let columns = 512
    static let rows = 5

    @Test(arguments: GGMLType.weightTypes)
    func kernelsMatchReference(type: GGMLType) throws {
        let n = Self.columns
        let bytes = TestData.weights(type: type, count: Self.rows * n, seed: UInt64(type.rawValue) + 11)
        let w = try bytes.withUnsafeBytes { try Dequantize.reference(type: type, bytes: $0, count: Self.rows * n) }
        let x = TestData.activations(count: n, seed: 7)
        var quantizedBytes: [[UInt8]] = []
        for kernel in QuantKernel.available {
            let xq = kernel.quantize(type: type, x)
            quantizedBytes.append(xq)
            let decoded = try #require(Self.decode(type: type, xq, count: n))
            let got = kernel.dots(type: type, weights: bytes, rows: Self.rows, columns: n, activations: xq)
            for r in 0..<Self.rows {
                let row = Array(w[(r * n)..<((r + 1) * n)])
                var exact = 0.0, magnitude = 0.0, truth = 0.0
                for j in 0..<n {
                    exact += Double(row[j]) * Double(decoded[j])
                    magnitude += abs(Double(row[j]) * Double(decoded[j]))
                    truth += Double(row[j]) * Double(x[j])
                }
                // Q4_1's minimum term uses s = d·Σq as stored (rounded to f16), as ggml does.
                let correction = type == .q4_1 ? Self.q4_1MinimumCorrection(weights: bytes, row: r, columns: n, activations: xq) : 0
                exact += correction
                let rounding = 1e-5 * magnitude + 1e-6
                #expect(abs(Double(got[r]) - exact) <= rounding, "\(type) \(kernel) row \(r): \(got[r]) vs \(exact)")
                let bound = Self.quantizationBound(type: type, weights: row, x: x) + abs(correction) + rounding
                #expect(abs(Double(got[r]) - truth) <= bound, "\(type) \(kernel) row \(r): \(got[r]) vs \(truth) (bound \(bound))")
            }
        }
        // Both implementations round the same way, so they quantize to the same bytes.
        #expect(Set(quantizedBytes).count == 1)
    }

    /// Σ_blocks m·(s − d·Σq): what rounding Q8_1's block sum to f16 adds to a Q4_1 dot product.
    static func q4_1MinimumCorrection(weights: [UInt8], row: Int, columns: Int, activations: [UInt8]) -> Double {
        func half(_ b: [UInt8], _ o: Int) -> Double { Double(Float16(bitPattern: UInt16(b[o]) | UInt16(b[o + 1]) << 8)) }
        var total = 0.0
        for b in 0..<(columns / 32) {
            let wb = (row * columns / 32 + b) * 20, xb = b * 36
            let sum = (0..<32).reduce(0) { $0 + Int(Int8(bitPattern: activations[xb + 4 + $1])) }
            total += half(weights, wb + 2) * (half(activations, xb + 2) - half(activations, xb) * Double(sum))
        }
        return total
    }

    /// The bound of the doc comment above (0 for F32/F16, which take x unquantized).
    static func quantizationBound(type: GGMLType, weights: [Float], x: [Float]) -> Double {
        let block: Int
        switch type {
        case .f32, .f16: return 0
        case .q4_K, .q6_K: block = 256
        default: block = 32
        }
        var bound = 0.0
        for start in stride(from: 0, to: x.count, by: block) {
            var amax = 0.0, w = 0.0
            for j in start..<(start + block) {
                amax = max(amax, abs(Double(x[j])))
                w += abs(Double(weights[j]))
            }
            bound += amax * (1.0 / 254 + 1.0 / 2048) * w
        }
        return bound
    }

    /// The values quantized activation bytes stand for (checking the format's invariants on the way).
    static func decode(type: GGMLType, _ bytes: [UInt8], count: Int) -> [Float]? {
        func half(_ o: Int) -> Float { Float(Float16(bitPattern: UInt16(bytes[o]) | UInt16(bytes[o + 1]) << 8)) }
        func i8(_ o: Int) -> Int { Int(Int8(bitPattern: bytes[o])) }
        var out: [Float] = []
        switch type {
        case .f32, .f16:
            return bytes.withUnsafeBytes { raw in (0..<count).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) } }
        case .q4_0, .q5_0, .q8_0:
            guard bytes.count == count / 32 * 34 else { return nil }
            for b in 0..<(count / 32) {
                let d = half(34 * b)
                for j in 0..<32 { out.append(Float(i8(34 * b + 2 + j)) * d) }
            }
        case .q4_1:
            guard bytes.count == count / 32 * 36 else { return nil }
            for b in 0..<(count / 32) {
                let d = half(36 * b)
                let q = (0..<32).map { i8(36 * b + 4 + $0) }
                // s = d·Σq, rounded to f16
                guard abs(half(36 * b + 2) - d * Float(q.reduce(0, +))) <= abs(d * Float(q.reduce(0, +))) * 1e-3 + 1e-7 else { return nil }
                out += q.map { Float($0) * d }
            }
        case .q4_K, .q6_K:
            guard bytes.count == count / 256 * 292 else { return nil }
            for b in 0..<(count / 256) {
                let base = 292 * b
                let d = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: base, as: Float.self) }
                let q = (0..<256).map { i8(base + 4 + $0) }
                guard q.allSatisfy({ $0 >= -127 && $0 <= 127 }) else { return nil }
                for g in 0..<16 {
                    let sum = Int(Int16(bitPattern: UInt16(bytes[base + 260 + 2 * g]) | UInt16(bytes[base + 261 + 2 * g]) << 8))
                    guard sum == q[(16 * g)..<(16 * g + 16)].reduce(0, +) else { return nil }
                }
                out += q.map { Float($0) * d }
            }
        default: return nil
        }
        return out
    }

    /// Kernels that take several rows per pass (the VNNI level: 4) give each row exactly what it
    /// gets alone, for row counts around the group size.
    @Test(arguments: [GGMLType.q4_0, .q4_1, .q5_0, .q8_0, .q4_K, .q6_K])
    func rowGroupsMatchSingleRows(type: GGMLType) throws {
        let n = 256, rows = 9
        let bytes = TestData.weights(type: type, count: rows * n, seed: 5)
        let rowBytes = try #require(type.byteCount(elements: n))
        let x = TestData.activations(count: n, seed: 3)
        for kernel in QuantKernel.available {
            let xq = kernel.quantize(type: type, x)
            let single = (0..<rows).map { r in
                kernel.dots(type: type, weights: Array(bytes[(r * rowBytes)..<((r + 1) * rowBytes)]), rows: 1, columns: n, activations: xq)[0]
            }
            for count in 1...rows {
                let got = kernel.dots(type: type, weights: bytes, rows: count, columns: n, activations: xq)
                #expect(got == Array(single[0..<count]), "\(type) \(kernel) rows \(count)")
            }
        }
    }

    /// The AVX-512 VNNI kernels are tested wherever the CPU has them.
    @Test func availableFollowsTheCPU() {
        #expect(QuantKernel.available.map(\.level) == Array(0...QuantKernel.bestLevel))
        #expect(QuantKernel.best.level == QuantKernel.bestLevel)
    }

    /// An all-zero block quantizes to zeros with a zero scale (no division by zero).
    @Test(arguments: [GGMLType.q8_0, .q4_1, .q4_K])
    func zeroActivations(type: GGMLType) throws {
        for kernel in QuantKernel.available {
            let xq = kernel.quantize(type: type, [Float](repeating: 0, count: 256))
            #expect(xq.allSatisfy { $0 == 0 })
        }
    }

    /// Extreme int8 products must not saturate the 16-bit pair sums: every weight at its largest
    /// magnitude against activations all at ±127.
    @Test(arguments: GGMLType.weightTypes)
    func extremeValues(type: GGMLType) throws {
        let n = 256
        var bytes = TestData.weights(type: type, count: n, seed: 99)
        let blocks = n / type.blockSize
        for b in 0..<blocks {  // all quant bits set: the largest unsigned codes
            let base = b * type.blockBytes
            switch type {
            case .q4_0, .q5_0: for k in (base + type.blockBytes - 16)..<(base + type.blockBytes) { bytes[k] = 0xFF }
            case .q4_1: for k in (base + 4)..<(base + 20) { bytes[k] = 0xFF }
            case .q8_0: for k in (base + 2)..<(base + 34) { bytes[k] = 0x81 }  // -127
            case .q4_K: for k in (base + 4)..<(base + 144) { bytes[k] = 0xFF }
            case .q6_K: for k in base..<(base + 192) { bytes[k] = 0xFF }; for k in (base + 192)..<(base + 208) { bytes[k] = 0x80 }
            default: break
            }
        }
        let w = try bytes.withUnsafeBytes { try Dequantize.reference(type: type, bytes: $0, count: n) }
        let x = (0..<n).map { $0 % 2 == 0 ? Float(1) : Float(-1) }
        for kernel in QuantKernel.available {
            let xq = kernel.quantize(type: type, x)
            let decoded = try #require(Self.decode(type: type, xq, count: n))
            let got = kernel.dots(type: type, weights: bytes, rows: 1, columns: n, activations: xq)[0]
            let exact = zip(w, decoded).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let magnitude = zip(w, decoded).reduce(0.0) { $0 + abs(Double($1.0) * Double($1.1)) }
            #expect(abs(Double(got) - exact) <= 1e-5 * magnitude + 1e-6, "\(type) \(kernel): \(got) vs \(exact)")
        }
    }
}
