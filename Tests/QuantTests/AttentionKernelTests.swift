import CKernels
import Foundation
@testable import Quant
import Testing

/// sotto_attention_f32 (the decoder's F32 causal attention for long batches) at each level against
/// a Double reference: softmax(q·kᵀ·scale)·v over positions 0...first+i for query row i.
@Suite struct AttentionKernelTests {
    @Test(arguments: [24, 48, 64, 128])
    func matchesReference(headDim: Int) {
        let count = 5, first = 37, length = first + count
        let ldq = headDim + 16  // query and output rows are strided, as in the decoder's (n, heads·headDim)
        let q = TestData.activations(count: count * ldq, seed: 1).map { $0 * 0.5 }
        let k = TestData.activations(count: length * headDim, seed: 2)
        let v = TestData.activations(count: length * headDim, seed: 3)
        let scale = 1 / Float(headDim).squareRoot()
        for kernel in QuantKernel.available {
            var out = [Float](repeating: .nan, count: count * ldq)
            var scores = [Float](repeating: 0, count: length)
            q.withUnsafeBufferPointer { q in
                k.withUnsafeBufferPointer { k in
                    v.withUnsafeBufferPointer { v in
                        scores.withUnsafeMutableBufferPointer { scores in
                            out.withUnsafeMutableBufferPointer { out in
                                var rows = sotto_attention_rows(
                                    q: q.baseAddress, ldq: ldq, k: k.baseAddress, v: v.baseAddress, head_dim: headDim, count: count,
                                    first: first, scale: scale, scores: scores.baseAddress, out: out.baseAddress, ldo: ldq)
                                sotto_attention_f32(&rows, kernel.level)
                            }
                        }
                    }
                }
            }
            var worst = 0.0
            for i in 0..<count {
                let visible = first + i + 1
                let logits = (0..<visible).map { t in
                    (0..<headDim).reduce(0.0) { $0 + Double(q[i * ldq + $1]) * Double(k[t * headDim + $1]) } * Double(scale)
                }
                let top = logits.max() ?? 0
                let weights = logits.map { exp($0 - top) }
                let total = weights.reduce(0, +)
                for d in 0..<headDim {
                    let exact = (0..<visible).reduce(0.0) { $0 + weights[$1] * Double(v[$1 * headDim + d]) } / total
                    let error = abs(Double(out[i * ldq + d]) - exact)
                    if !(error <= worst) { worst = error }
                }
            }
            #expect(worst <= 1e-5, "head dim \(headDim), \(kernel): error \(worst)")
            #expect(out[ldq - 1].isNaN, "wrote outside the row")
        }
    }
}
