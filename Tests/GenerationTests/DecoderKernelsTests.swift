import Foundation
import Testing
@testable import Generation
import CKernels
import GGUF

struct DecoderKernelsTests {
    @Test func roundToHalfMatchesFloat16Conversion() {
        var random = SeededRandom(seed: 5)
        var values: [Float] = [0, -0, 1, -1, 65504, 65519, 6.1e-5, 6.0e-5, 1e-7, -3e-6, 0x1p-14, 0x1.ffcp-15]
        for _ in 0..<20_000 {
            let magnitude = Float(random.nextUnit() * 40 - 30)  // 2^-30 … 2^10
            values.append(Float(random.nextUnit() < 0.5 ? -1 : 1) * Float.pow2(magnitude))
        }
        for x in values {
            #expect(DecoderKernels.roundToHalf(x) == Float(Float16(x)), "\(x)")
        }
    }

    /// The levels this CPU runs (0 portable, 1 AVX2, 2 AVX-512).
    static var levels: [Int32] { Array(0...DecoderKernels.level) }

    static func halves(_ count: Int, _ random: inout SeededRandom, scale: Double = 1) -> [Float] {
        (0..<count).map { _ in Float(Float16(Float((random.nextUnit() * 2 - 1) * scale))) }
    }

    @Test func halfPrecisionAttentionIsTheSameAtEveryLevelAndCloseToTheSoftmax() {
        var random = SeededRandom(seed: 9)
        for headDim in [64, 128, 80] {  // 80: a tail past the steps of 64, summed in double as ggml
            for length in [1, 2, 7, 40] {
                let q = Self.halves(headDim, &random, scale: 2)
                let keys = Self.halves(length * headDim, &random, scale: 2)
                let values = Self.halves(length * headDim, &random)
                let scale = 1 / Float(headDim).squareRoot()
                var outputs: [[Float]] = []
                for level in Self.levels {
                    var acc = [Float](repeating: 0, count: headDim), out = [Float](repeating: 0, count: headDim)
                    DecoderKernels.attendHalfPrecision(
                        query: q, keys: keys, values: values, length: length, headDim: headDim, scale: scale,
                        accumulator: &acc, into: &out, level: level)
                    outputs.append(out)
                }
                // Levels agree bit for bit, except where level 2 computes in half precision (AVX512-FP16,
                // whole steps of 128 values, as ggml built for such a CPU).
                let halfArithmetic = sotto_decoder_half_arithmetic() == 1 && headDim >= 128
                for (level, out) in outputs.enumerated().dropFirst() where !(halfArithmetic && level == 2) {
                    #expect(out == outputs[0], "dim \(headDim) length \(length)")
                }
                // Against softmax·V in double: the F16 accumulator keeps ~3 decimal digits.
                var scores = (0..<length).map { t in
                    Double(scale) * (0..<headDim).reduce(0.0) { $0 + Double(q[$1]) * Double(keys[t * headDim + $1]) }
                }
                let top = scores.max() ?? 0
                scores = scores.map { Foundation.exp($0 - top) }
                let total = scores.reduce(0, +)
                for d in 0..<headDim {
                    let exact = (0..<length).reduce(0.0) { $0 + scores[$1] * Double(values[$1 * headDim + d]) } / total
                    for out in outputs {
                        #expect(abs(Double(out[d]) - exact) < 3e-3, "dim \(headDim) length \(length) d \(d)")
                    }
                }
                if length == 1 { for out in outputs { #expect(out == Array(values.prefix(headDim))) } }
            }
        }
    }

    /// Many queries against one cache in one call (a key-value head's query heads, a verification
    /// pass's tokens, each with its own length): every output is, bit for bit, the one-query kernel's
    /// for that query alone (rounded to half first, as the decoder rounds it), at every level.
    @Test func manyQueriesAttendEachAsAlone() {
        var random = SeededRandom(seed: 12)
        for headDim in [64, 128, 80] {
            let length = 57, count = 11
            let keys = Self.halves(length * headDim, &random, scale: 2)
            let values = Self.halves(length * headDim, &random)
            // Queries not yet rounded (the decoder's q rows), lengths in any order, repeats allowed.
            let queries = (0..<count).map { _ in (0..<headDim).map { _ in Float((random.nextUnit() * 2 - 1) * 2) } }
            let lengths = [57, 1, 30, 57, 56, 2, 44, 57, 9, 31, 30]
            let scale = 1 / Float(headDim).squareRoot()
            for level in Self.levels {
                var outputs = [[Float]](repeating: [Float](repeating: .nan, count: headDim), count: count)
                var scratch = [Float](repeating: 0, count: count * (2 * headDim + 2))
                let rows = queries.map { q in
                    let p = UnsafeMutablePointer<Float>.allocate(capacity: headDim)
                    p.initialize(from: q, count: headDim)
                    return p
                }
                let outs = (0..<count).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: headDim) }
                defer { (rows + outs).forEach { $0.deallocate() } }
                let queryPointers: [UnsafePointer<Float>?] = rows.map { UnsafePointer($0) }
                let outPointers: [UnsafeMutablePointer<Float>?] = outs
                DecoderKernels.attendHalfPrecision(
                    queries: queryPointers, outs: outPointers, lengths: lengths, count: count, keys: keys, values: values,
                    headDim: headDim, scale: scale, scratch: &scratch, level: level)
                for j in 0..<count { outputs[j] = Array(UnsafeBufferPointer(start: outs[j], count: headDim)) }
                for j in 0..<count {
                    var acc = [Float](repeating: 0, count: headDim), alone = [Float](repeating: 0, count: headDim)
                    DecoderKernels.attendHalfPrecision(
                        query: queries[j].map(DecoderKernels.roundToHalf), keys: keys, values: values, length: lengths[j],
                        headDim: headDim, scale: scale, accumulator: &acc, into: &alone, level: level)
                    #expect(outputs[j].map(\.bitPattern) == alone.map(\.bitPattern), "dim \(headDim) level \(level) query \(j)")
                }
            }
        }
    }

    @Test func swiGLUIsSiLUTimesUpAndLevelsZeroAndTwoAgreeExactly() {
        var random = SeededRandom(seed: 3)
        let width = 100  // six vectors of 16 (twelve of 8) and a scalar tail of 4
        var gate = (0..<(2 * width)).map { _ in Float((random.nextUnit() * 2 - 1) * 12) }
        gate[0] = 0
        gate[1] = -100  // exp(100) overflows the vector form's range: silu → −0
        gate[2] = 95
        let up = (0..<(2 * width)).map { _ in Float(random.nextUnit() * 4 - 2) }
        var results: [[Float]] = []
        for level in Self.levels {
            var g = gate
            DecoderKernels.swiGLU(&g, up: up, rows: 2, width: width, level: level)
            results.append(g)
        }
        for (level, result) in results.enumerated() {
            for i in 0..<gate.count {
                let x = Double(gate[i])
                let exact = x / (1 + Foundation.exp(-x)) * Double(up[i])
                #expect(abs(Double(result[i]) - exact) <= 1e-6 * max(abs(exact), 1e-3), "level \(level) value \(i)")
            }
        }
        // The portable level computes ggml's AVX-512 formula (fused operations, exact scaling).
        if results.count > 2 { #expect(results[0] == results[2]) }
    }

    @Test func ropeFusesTheFirstProductAsGCCContractsGGML() {
        let cos: [Float] = [0.3, 0.7], sin: [Float] = [0.953939, -0.714143]
        let x: [Float] = [1.1, -2.3, 0.77, 5.5]
        for level in Self.levels {
            var adjacent = x
            DecoderKernels.rope(&adjacent, heads: 1, headDim: 4, style: .adjacentPairs, cos: cos, sin: sin, level: level)
            #expect(adjacent[0] == Foundation.fmaf(x[0], cos[0], -(x[1] * sin[0])))
            #expect(adjacent[1] == Foundation.fmaf(x[0], sin[0], x[1] * cos[0]))
            #expect(adjacent[3] == Foundation.fmaf(x[2], sin[1], x[3] * cos[1]))
            var halves = x
            DecoderKernels.rope(&halves, heads: 1, headDim: 4, style: .halves, cos: cos, sin: sin, level: level)
            #expect(halves[1] == Foundation.fmaf(x[1], cos[1], -(x[3] * sin[1])))
            #expect(halves[3] == Foundation.fmaf(x[1], sin[1], x[3] * cos[1]))
        }
    }

    @Test func ropeRotatesThePairsOfEachStyle() {
        var cos = [Float](repeating: 0, count: 2), sin = [Float](repeating: 0, count: 2)
        DecoderKernels.ropeAngles(position: 1, headDim: 4, base: 10_000, cos: &cos, sin: &sin)
        #expect(abs(cos[0] - Float(1).cosine) < 1e-6 && abs(sin[1] - Float(0.01).sine) < 1e-6)
        var adjacent: [Float] = [1, 0, 1, 0]
        DecoderKernels.rope(&adjacent, heads: 1, headDim: 4, style: .adjacentPairs, cos: cos, sin: sin)
        #expect(abs(adjacent[0] - cos[0]) < 1e-6 && abs(adjacent[1] - sin[0]) < 1e-6)
        var halves: [Float] = [1, 1, 0, 0]
        DecoderKernels.rope(&halves, heads: 1, headDim: 4, style: .halves, cos: cos, sin: sin)
        #expect(abs(halves[0] - cos[0]) < 1e-6 && abs(halves[2] - sin[0]) < 1e-6)
        #expect(abs(halves[1] - cos[1]) < 1e-6 && abs(halves[3] - sin[1]) < 1e-6)
    }
}

extension Float {
    static func pow2(_ e: Float) -> Float { Float(Foundation.pow(2.0, Double(e))) }
    var cosine: Float { Foundation.cos(self) }
    var sine: Float { Foundation.sin(self) }
}

/// llama.cpp's batched K-quant orders (sotto_quant_matvec_batched) against its matrix-vector one.
struct BatchedOrderTests {
    /// Random blocks of `type` with small finite scales (the f16 fields at their offsets).
    static func matrix(_ type: GGMLType, rows: Int, columns: Int, _ random: inout SeededRandom) -> [UInt8] {
        let blockBytes = type == .q4_K ? 144 : 210
        var bytes = (0..<(rows * columns / 256 * blockBytes)).map { _ in UInt8(random.nextUnit() * 256) }
        let scale = Float16(0.002).bitPattern
        for b in stride(from: 0, to: bytes.count, by: blockBytes) {
            let offsets = type == .q4_K ? [0, 2] : [208]  // d, dmin of Q4_K; d of Q6_K
            for o in offsets {
                bytes[b + o] = UInt8(scale & 0xFF)
                bytes[b + o + 1] = UInt8(scale >> 8)
            }
        }
        return bytes
    }

    @Test(arguments: [GGMLType.q4_K, .q6_K])
    func batchedOrderAgreesAcrossLevelsAndWithTheMatrixVectorSum(type: GGMLType) throws {
        var random = SeededRandom(seed: 11)
        let rows = 16, columns = 512
        let bytes = Self.matrix(type, rows: rows, columns: columns, &random)
        let x = (0..<columns).map { _ in Float(random.nextUnit() * 2 - 1) }
        let code = Int32(type.rawValue)
        let rowBytes = bytes.count / rows
        var activations = [UInt8](repeating: 0, count: sotto_quant_activation_bytes(code, columns))
        var results: [[Float]] = []
        var plain = [Float](repeating: 0, count: rows)
        bytes.withUnsafeBytes { w in
            activations.withUnsafeMutableBytes { xq in
                sotto_quant_quantize(code, x, columns, xq.baseAddress, 0)
                sotto_quant_matvec(code, w.baseAddress, rowBytes, rows, columns, xq.baseAddress, &plain, 0)
                for level in DecoderKernelsTests.levels {
                    var y = [Float](repeating: 0, count: rows)
                    sotto_quant_matvec_batched(code, w.baseAddress, rowBytes, rows, columns, xq.baseAddress, &y, level)
                    results.append(y)
                }
            }
        }
        for y in results.dropFirst() { #expect(y == results[0]) }
        let largest = plain.map(abs).max() ?? 0
        #expect(largest > 0)
        for r in 0..<rows { #expect(abs(results[0][r] - plain[r]) <= 1e-5 * max(largest, 1), "row \(r)") }
        // Q6_K batches take the tiled order from 8 rows; Q4_K token rows in whole groups of 4.
        #expect(DecoderKernels.batchedRows(type: .q6_K, count: 7).isEmpty)
        #expect(DecoderKernels.batchedRows(type: .q6_K, count: 8) == 0..<8)
        #expect(DecoderKernels.batchedRows(type: .q4_K, count: 3).isEmpty)
        #expect(DecoderKernels.batchedRows(type: .q4_K, count: 26) == 0..<24)
        #expect(DecoderKernels.batchedRows(type: .q5_0, count: 26).isEmpty)
    }
}
