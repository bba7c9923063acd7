import Foundation
import Testing
@testable import Generation

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
        // The eight-lane version agrees in the normal range.
        let normal = values.filter { abs($0) >= 0x1p-14 && abs($0) < 65504 }
        for i in stride(from: 0, to: normal.count - 8, by: 8) {
            let lanes = SIMD8<Float>(normal[i..<(i + 8)])
            let rounded = DecoderKernels.roundToHalf(lanes)
            for j in 0..<8 { #expect(rounded[j] == Float(Float16(lanes[j]))) }
        }
    }

    @Test func halfDotSumsInGGMLOrderAndEqualsTheDotClosely() {
        var random = SeededRandom(seed: 9)
        let q = (0..<128).map { _ in Float(Float16(Float(random.nextUnit() * 2 - 1))) }
        let k = (0..<128).map { _ in Float(Float16(Float(random.nextUnit() * 2 - 1))) }
        let exact = zip(q, k).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let half = DecoderKernels.halfDot(q, k, count: 128)
        #expect(abs(Double(half) - exact) < 1e-5)
        // Four accumulators then a lane tree: the same as summing in that order by hand.
        var lanes = [Float](repeating: 0, count: 64)
        for i in stride(from: 0, to: 128, by: 64) { for j in 0..<64 { lanes[j] += q[i + j] * k[i + j] } }
        var a = [Float](repeating: 0, count: 16)
        for l in 0..<16 {
            let front: Float = lanes[l] + lanes[32 + l]
            let back: Float = lanes[16 + l] + lanes[48 + l]
            a[l] = front + back
        }
        var b = [Float](repeating: 0, count: 8)
        for l in 0..<8 { b[l] = a[l + 8] + a[l] }
        var c = [Float](repeating: 0, count: 4)
        for l in 0..<4 { c[l] = b[l + 4] + b[l] }
        let left: Float = c[0] + c[2]
        let right: Float = c[1] + c[3]
        #expect(half == left + right)
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
