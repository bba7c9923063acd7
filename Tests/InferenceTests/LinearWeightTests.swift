import CKernels
import Testing
@testable import Inference

/// The encoder's own packed products against a plain sum in Double, at every kernel this CPU runs,
/// over shapes that leave partial row strips, partial panels and more than one slice of inputs.
@Suite struct LinearWeightTests {
    static let runnable = LinearWeight.Kernel.allCases.filter { $0.rawValue <= sotto_sgemm_best_level() }

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
                output.withUnsafeMutableBufferPointer { c in linear.accumulate(a.baseAddress!, into: c.baseAddress!, rows: shape.rows) }
            }
            // Float sums in any order stay within a few ulps of the sum of the terms' magnitudes.
            let worst = zip(output.indices, output).map { i, value in
                abs(Double(value) - expected[i]) / magnitude[i]
            }.max() ?? 0
            #expect(worst < 1e-6, "\(kernel): relative error \(worst)")
        }
    }

    @Test(.enabled(if: sotto_kernels_have_avx2() == 1, "a CPU without AVX2 and FMA uses OpenBLAS"))
    func thisCPURunsAnOwnKernelWhereItHasAVX2() {
        #expect(Self.runnable.contains(.avx2))
        #expect(LinearWeight.Kernel.preferred != .blas)
    }
}
