import Foundation
import Testing
@testable import Inference

/// Each fast kernel against its plain twin in Kernels+Reference.swift.
@Suite struct KernelsTests {
    /// Deterministic values in [-scale, scale] (a linear congruential generator; no global state).
    static func values(_ count: Int, seed: UInt64, scale: Float = 3) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Float(state >> 40) / Float(1 << 24) * 2 - 1) * scale
        }
    }

    @Test func expIsAccurateOverTheSoftmaxRange() {
        var worst: Double = 0
        var x: Float = -87
        while x <= 10 {
            let exact = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(Kernels.exp(x)) - exact) / exact)
            x += 0.0137
        }
        #expect(worst < 5e-7)
        #expect(Kernels.exp(0) == 1)
        #expect(Kernels.exp(-1000) > 0)
        #expect(Kernels.exp(-1000) < 1e-37)
    }

    @Test func erfIsAccurate() {
        var worst: Double = 0
        var x: Float = -6
        while x <= 6 {
            worst = max(worst, abs(Double(Kernels.erf(x)) - Foundation.erf(Double(x))))
            x += 0.001
        }
        #expect(worst < 5e-7)
    }

    @Test(arguments: [false, true])
    func addBiasGELUMatchesReference(tanhApproximation: Bool) {
        let rows = 7, columns = 37
        let input = Self.values(rows * columns, seed: 1, scale: 6), bias = Self.values(columns, seed: 2)
        var fast = input
        fast.withUnsafeMutableBufferPointer {
            Kernels.addBiasGELU($0.baseAddress!, rows: rows, columns: columns, bias: bias, tanhApproximation: tanhApproximation)
        }
        let reference = Kernels.addBiasGELUReference(input, rows: rows, columns: columns, bias: bias, tanhApproximation: tanhApproximation)
        #expect(maxAbsoluteDifference(fast, reference) < 2e-6)
        #expect(fast != input)
    }

    @Test(arguments: [false, true])
    func applyGELUMatchesReference(tanhApproximation: Bool) {
        let input = Self.values(259, seed: 13, scale: 6) // 259: eight-lane blocks and a tail
        let reference = Kernels.applyGELUReference(input, tanhApproximation: tanhApproximation)
        // The dispatched kernel (AVX2 where the CPU has it) and the portable one.
        for portable in [false, true] {
            var fast = input
            fast.withUnsafeMutableBufferPointer {
                if portable {
                    Kernels.applyGELUPortable($0.baseAddress!, count: $0.count, tanhApproximation: tanhApproximation)
                } else {
                    Kernels.applyGELU($0.baseAddress!, count: $0.count, tanhApproximation: tanhApproximation)
                }
            }
            #expect(maxAbsoluteDifference(fast, reference) < 2e-6, "portable: \(portable)")
            #expect(fast != input)
        }
    }

    @Test func fillRowsMatchesReference() {
        let rows = 3, columns = 21
        let bias = Self.values(columns, seed: 14)
        var fast = Self.values(rows * columns, seed: 15)
        fast.withUnsafeMutableBufferPointer { Kernels.fillRows($0.baseAddress!, rows: rows, columns: columns, with: bias) }
        #expect(fast == Kernels.fillRowsReference(rows: rows, columns: columns, bias: bias))
    }

    @Test func addBiasMatchesReference() {
        let rows = 5, columns = 19
        let input = Self.values(rows * columns, seed: 3), bias = Self.values(columns, seed: 4)
        var fast = input
        fast.withUnsafeMutableBufferPointer { Kernels.addBias($0.baseAddress!, rows: rows, columns: columns, bias: bias) }
        #expect(fast == Kernels.addBiasReference(input, rows: rows, columns: columns, bias: bias))
    }

    @Test(arguments: [1, 7, 16, 384, 390])
    func layerNormMatchesReference(columns: Int) {
        let rows = 3
        // An offset far from zero checks that the variance does not cancel.
        let input = Self.values(rows * columns, seed: 5).map { $0 + 100 }
        let gamma = Self.values(columns, seed: 6), beta = Self.values(columns, seed: 7)
        var fast = input
        fast.withUnsafeMutableBufferPointer {
            Kernels.layerNorm($0.baseAddress!, rows: rows, columns: columns, gamma: gamma, beta: beta, epsilon: 1e-12)
        }
        let reference = Kernels.layerNormReference(input, rows: rows, columns: columns, gamma: gamma, beta: beta, epsilon: 1e-12)
        #expect(maxAbsoluteDifference(fast, reference) < 5e-5)
    }

    @Test func addBiasResidualLayerNormMatchesReference() {
        let rows = 4, columns = 40
        let x = Self.values(rows * columns, seed: 8), y = Self.values(rows * columns, seed: 9)
        let bias = Self.values(columns, seed: 10), gamma = Self.values(columns, seed: 11), beta = Self.values(columns, seed: 12)
        var fast = x
        fast.withUnsafeMutableBufferPointer {
            Kernels.addBiasResidualLayerNorm($0.baseAddress!, y, rows: rows, columns: columns, bias: bias, gamma: gamma, beta: beta, epsilon: 1e-5)
        }
        let reference = Kernels.addBiasResidualLayerNormReference(x, y, rows: rows, columns: columns, bias: bias, gamma: gamma, beta: beta, epsilon: 1e-5)
        #expect(maxAbsoluteDifference(fast, reference) < 1e-5)
    }

    @Test(arguments: [1, 3, 8, 17, 256])
    func softmaxRowsMatchesReference(columns: Int) {
        let rows = 3
        let input = Self.values(rows * columns, seed: 13, scale: 20)
        let reference = Kernels.softmaxRowsReference(input, rows: rows, columns: columns)
        for portable in [false, true] {
            var fast = input
            fast.withUnsafeMutableBufferPointer { Self.softmaxRows($0.baseAddress!, rows: rows, columns: columns, stride: columns, portable: portable) }
            #expect(maxAbsoluteDifference(fast, reference) < 1e-6, "portable: \(portable)")
            for r in 0..<rows {
                #expect(abs(fast[(r * columns)..<((r + 1) * columns)].reduce(0, +) - 1) < 1e-5)
            }
        }
    }

    @Test(arguments: [false, true])
    func softmaxRowsLeavesTheRestOfAStridedBlockAlone(portable: Bool) {
        var block: [Float] = [1, 2, 99, 3, 3, 99]
        block.withUnsafeMutableBufferPointer { Self.softmaxRows($0.baseAddress!, rows: 2, columns: 2, stride: 3, portable: portable) }
        #expect(block[2] == 99 && block[5] == 99)
        #expect(abs(block[3] - 0.5) < 1e-7)
    }

    static func softmaxRows(_ s: UnsafeMutablePointer<Float>, rows: Int, columns: Int, stride: Int, portable: Bool) {
        if portable {
            Kernels.softmaxRowsPortable(s, rows: rows, columns: columns, stride: stride)
        } else {
            Kernels.softmaxRows(s, rows: rows, columns: columns, stride: stride)
        }
    }
}
