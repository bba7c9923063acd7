import Foundation

/// Plain implementations of the kernels, in Double with the C library's exp and erf: slow and
/// obviously right. The tests hold `Kernels` to these.
extension Kernels {
    static func addBiasReference(_ c: [Float], rows: Int, columns: Int, bias: [Float]) -> [Float] {
        var out = c
        for r in 0..<rows { for j in 0..<columns { out[r * columns + j] = c[r * columns + j] + bias[j] } }
        return out
    }

    static func fillRowsReference(rows: Int, columns: Int, bias: [Float]) -> [Float] {
        (0..<(rows * columns)).map { bias[$0 % columns] }
    }

    static func applyGELUReference(_ c: [Float], tanhApproximation: Bool) -> [Float] {
        c.map { tanhApproximation ? geluTanhReference($0) : geluReference($0) }
    }

    static func geluReference(_ x: Float) -> Float {
        let v = Double(x)
        return Float(0.5 * v * (1 + Foundation.erf(v / 2.0.squareRoot())))
    }

    static func geluTanhReference(_ x: Float) -> Float {
        let v = Double(x)
        return Float(0.5 * v * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (v + 0.044715 * v * v * v))))
    }

    static func addBiasGELUReference(_ c: [Float], rows: Int, columns: Int, bias: [Float], tanhApproximation: Bool) -> [Float] {
        addBiasReference(c, rows: rows, columns: columns, bias: bias)
            .map { tanhApproximation ? geluTanhReference($0) : geluReference($0) }
    }

    static func layerNormReference(_ x: [Float], rows: Int, columns: Int, gamma: [Float], beta: [Float], epsilon: Float) -> [Float] {
        var out = x
        for r in 0..<rows {
            let row = (0..<columns).map { Double(x[r * columns + $0]) }
            let mean = row.reduce(0, +) / Double(columns)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(columns)
            let scale = 1 / (variance + Double(epsilon)).squareRoot()
            for j in 0..<columns {
                out[r * columns + j] = Float((row[j] - mean) * scale * Double(gamma[j]) + Double(beta[j]))
            }
        }
        return out
    }

    static func addBiasResidualLayerNormReference(
        _ x: [Float], _ y: [Float], rows: Int, columns: Int, bias: [Float], gamma: [Float], beta: [Float], epsilon: Float
    ) -> [Float] {
        let summed = (0..<(rows * columns)).map { x[$0] + y[$0] + bias[$0 % columns] }
        return layerNormReference(summed, rows: rows, columns: columns, gamma: gamma, beta: beta, epsilon: epsilon)
    }

    static func softmaxRowsReference(_ s: [Float], rows: Int, columns: Int) -> [Float] {
        var out = s
        for r in 0..<rows {
            let row = (0..<columns).map { Double(s[r * columns + $0]) }
            let largest = row.max() ?? 0
            let exps = row.map { Foundation.exp($0 - largest) }
            let total = exps.reduce(0, +)
            for j in 0..<columns { out[r * columns + j] = Float(exps[j] / total) }
        }
        return out
    }
}
