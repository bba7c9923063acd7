import CKernels
import Testing
@testable import Inference

/// The encoder's own packed products against a plain sum in Double, at every kernel this CPU runs,
/// over shapes that leave partial row strips, partial panels and more than one slice of inputs; the
/// int8 products against the same sum over the values their 8-bit blocks hold.
@Suite struct LinearWeightTests {
    static let runnable = LinearWeight.Kernel.allCases.filter { $0.runs && $0 != .int8 }

    struct Shape: Sendable, CustomTestStringConvertible {
        let rows: Int, inputs: Int, outputs: Int
        var testDescription: String { "\(rows)×\(inputs) · (\(outputs)×\(inputs))ᵀ" }
    }

    static let shapes = [
        Shape(rows: 1, inputs: 384, outputs: 384),     // a one-token query
        Shape(rows: 29, inputs: 384, outputs: 1152),   // QKV: strips of 12 and 6 with a partial one
        Shape(rows: 13, inputs: 1536, outputs: 384),   // FFN down: four slices of inputs
        Shape(rows: 7, inputs: 5, outputs: 37),        // a partial panel of 5 outputs
        Shape(rows: 25, inputs: 401, outputs: 300),    // a partial slice, a block and a partial panel of 12
    ]

    @Test(arguments: shapes)
    func everyKernelAddsTheProductToWhatIsThere(shape: Shape) {
        let weight = KernelsTests.values(shape.outputs * shape.inputs, seed: 3, scale: 0.2)
        let input = KernelsTests.values(shape.rows * shape.inputs, seed: 5)
        let start = KernelsTests.values(shape.rows * shape.outputs, seed: 7)
        var expected = [Double](repeating: 0, count: start.count)
        var magnitude = [Double](repeating: 0, count: start.count)
        for r in 0..<shape.rows {
            for o in 0..<shape.outputs {
                var sum = Double(start[r * shape.outputs + o]), size = abs(sum)
                for k in 0..<shape.inputs {
                    let term = Double(input[r * shape.inputs + k]) * Double(weight[o * shape.inputs + k])
                    sum += term
                    size += abs(term)
                }
                expected[r * shape.outputs + o] = sum
                magnitude[r * shape.outputs + o] = size
            }
        }
        for kernel in Self.runnable {
            let linear = LinearWeight(rowMajor: weight, outputs: shape.outputs, inputs: shape.inputs, kernel: kernel)
            #expect(linear.rowMajor == weight, "\(kernel) keeps the weight")
            var output = start
            input.withUnsafeBufferPointer { a in
                output.withUnsafeMutableBufferPointer { c in
                    #expect(throws: Never.self) {
                        try linear.accumulate(a.baseAddress!, into: c.baseAddress!, rows: shape.rows, scratch: ActivationScratch())
                    }
                }
            }
            // Float sums in any order stay within a few ulps of the sum of the terms' magnitudes.
            let worst = zip(output.indices, output).map { i, value in
                abs(Double(value) - expected[i]) / magnitude[i]
            }.max() ?? 0
            #expect(worst < 1e-6, "\(kernel): relative error \(worst)")
        }
    }

    static let int8Shapes = [
        Shape(rows: 1, inputs: 384, outputs: 384),     // a one-token query
        Shape(rows: 29, inputs: 384, outputs: 1152),   // QKV: groups of 4 rows and a partial one
        Shape(rows: 13, inputs: 1536, outputs: 384),   // FFN down: more than one block of columns
        Shape(rows: 6, inputs: 64, outputs: 37),       // a partial tile of 5 outputs
    ]

    /// Each row's products are integer sums of 8-bit codes, scaled per block of 32: the result must be
    /// the exact sum over the values the blocks stand for (weights as `rowMajor` gives them back,
    /// inputs quantized as the kernel quantizes them), up to float rounding, and added to what is there.
    @Test(.enabled(if: LinearWeight.Kernel.int8.runs, "the int8 products need AVX-512 VNNI"), arguments: int8Shapes)
    func int8ProductsAreTheExactSumsOfTheirBlocks(shape: Shape) {
        let weight = KernelsTests.values(shape.outputs * shape.inputs, seed: 3, scale: 0.2)
        let input = KernelsTests.values(shape.rows * shape.inputs, seed: 5)
        let start = KernelsTests.values(shape.rows * shape.outputs, seed: 7)
        let linear = LinearWeight(rowMajor: weight, outputs: shape.outputs, inputs: shape.inputs, kernel: .int8)
        #expect(linear.kernel == .int8)
        let held = linear.rowMajor
        // Each weight is within half a step (its block's largest magnitude / 127) of what is held, plus
        // the scale's rounding to half precision (at most 127 × 2⁻¹¹ of a step).
        for block in stride(from: 0, to: weight.count, by: 32) {
            let values = weight[block..<min(block + 32, weight.count)]
            let step = Double(values.map(abs).max() ?? 0) / 127
            let worst = values.indices.map { abs(Double(held[$0]) - Double(weight[$0])) }.max() ?? 0
            #expect(worst <= step * (0.5 + 127.0 / 2048) + 1e-12)
        }
        let rowBytes = sotto_quant_activation_bytes(8, shape.inputs)
        var quantizedInput = [Float](repeating: 0, count: input.count)
        var row = [UInt8](repeating: 0, count: rowBytes)
        for r in 0..<shape.rows {
            input.withUnsafeBufferPointer { x in _ = sotto_quant_quantize(8, x.baseAddress! + r * shape.inputs, shape.inputs, &row, 1) }
            quantizedInput.withUnsafeMutableBufferPointer { q in
                _ = sotto_quant_dequantize(8, row, rowBytes, 1, shape.inputs, q.baseAddress! + r * shape.inputs, shape.inputs)
            }
        }
        var output = start
        let scratch = ActivationScratch()
        input.withUnsafeBufferPointer { a in
            output.withUnsafeMutableBufferPointer { c in #expect(throws: Never.self) { try linear.accumulate(a.baseAddress!, into: c.baseAddress!, rows: shape.rows, scratch: scratch) } }
        }
        var worst = 0.0, worstAgainstFloat = 0.0
        for r in 0..<shape.rows {
            for o in 0..<shape.outputs {
                var sum = Double(start[r * shape.outputs + o]), size = abs(sum), exact = sum
                for k in 0..<shape.inputs {
                    let term = Double(quantizedInput[r * shape.inputs + k]) * Double(held[o * shape.inputs + k])
                    sum += term
                    size += abs(term)
                    exact += Double(input[r * shape.inputs + k]) * Double(weight[o * shape.inputs + k])
                }
                let value = Double(output[r * shape.outputs + o])
                worst = max(worst, abs(value - sum) / size)
                worstAgainstFloat = max(worstAgainstFloat, abs(value - exact) / size)
            }
        }
        #expect(worst < 1e-5, "relative error \(worst) against the blocks' own values")
        // And against the float product, within what 8 bits a side allow.
        #expect(worstAgainstFloat < 2e-2, "relative error \(worstAgainstFloat) against the float product")
    }

    /// A shape the int8 blocks do not fit (inputs not a multiple of 32) is kept for a float kernel.
    @Test func int8FallsBackToFloatForOtherShapes() {
        let linear = LinearWeight(rowMajor: KernelsTests.values(7 * 40, seed: 1), outputs: 7, inputs: 40, kernel: .int8)
        #expect(linear.kernel != .int8)
    }

    @Test(.enabled(if: sotto_kernels_have_avx2() == 1, "a CPU without AVX2 and FMA uses OpenBLAS"))
    func thisCPURunsAnOwnKernelWhereItHasAVX2() {
        #expect(Self.runnable.contains(.avx2))
        #expect(LinearWeight.Kernel.preferred != .blas)
        #expect(LinearWeight.Kernel.chosen(for: .float) != .blas && LinearWeight.Kernel.chosen(for: .float) != .int8)
    }
}
