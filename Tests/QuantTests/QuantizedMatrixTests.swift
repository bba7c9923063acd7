import GGUF
@testable import Quant
import Testing

@Suite struct QuantizedMatrixTests {
    static let pool = ComputePool(threads: 2)

    @Test func rejectsBadShapesAndTypes() {
        let bytes = [UInt8](repeating: 0, count: 340)
        bytes.withUnsafeBytes { raw in
            #expect(throws: QuantError.unsupportedType(.q5_1)) {
                try QuantizedMatrix(type: .q5_1, rows: 1, columns: 32, data: raw)
            }
            #expect(throws: QuantError.invalidShape(type: .q8_0, rows: 2, columns: 48)) {
                try QuantizedMatrix(type: .q8_0, rows: 2, columns: 48, data: raw)
            }
            #expect(throws: QuantError.invalidShape(type: .q8_0, rows: -1, columns: 32)) {
                try QuantizedMatrix(type: .q8_0, rows: -1, columns: 32, data: raw)
            }
            #expect(throws: QuantError.dataTooShort(needed: 374, available: 340)) {
                try QuantizedMatrix(type: .q8_0, rows: 11, columns: 32, data: raw)
            }
            #expect(throws: QuantError.invalidShape(type: .q8_0, rows: Int.max / 2, columns: 32)) {
                try QuantizedMatrix(type: .q8_0, rows: Int.max / 2, columns: 32, data: raw)
            }
            let m = try? QuantizedMatrix(type: .q8_0, rows: 10, columns: 32, data: raw)
            #expect(m?.rowBytes == 34)
        }
        #expect(QuantError.dataTooShort(needed: 2, available: 1).message.contains("truncated"))
    }

    @Test(arguments: GGMLType.weightTypes)
    func dequantizeRowMatchesReference(type: GGMLType) throws {
        let rows = 3, columns = 512
        let bytes = TestData.weights(type: type, count: rows * columns, seed: 5)
        let reference = try bytes.withUnsafeBytes { try Dequantize.reference(type: type, bytes: $0, count: rows * columns) }
        try bytes.withUnsafeBytes { raw in
            let m = try QuantizedMatrix(type: type, rows: rows, columns: columns, data: raw)
            var row = [Float](repeating: .nan, count: columns)
            for r in 0..<rows {
                try row.withUnsafeMutableBufferPointer { try m.dequantizeRow(r, into: $0.baseAddress!) }
                #expect(row == Array(reference[(r * columns)..<((r + 1) * columns)]), "\(type) row \(r)")
            }
        }
    }

    /// multiply(vector:) over the pool equals the kernel row by row (the split changes nothing), and
    /// stays within the quantization bound of QuantKernelTests against the float product.
    @Test(arguments: GGMLType.weightTypes)
    func vectorProduct(type: GGMLType) throws {
        let rows = 161, columns = 512  // above the parallel threshold, odd row count
        let bytes = TestData.weights(type: type, count: rows * columns, seed: 21)
        let w = try bytes.withUnsafeBytes { try Dequantize.reference(type: type, bytes: $0, count: rows * columns) }
        let x = TestData.activations(count: columns, seed: 3)
        let expected = QuantKernel.best.dots(
            type: type, weights: bytes, rows: rows, columns: columns, activations: QuantKernel.best.quantize(type: type, x))
        try bytes.withUnsafeBytes { raw in
            let m = try QuantizedMatrix(type: type, rows: rows, columns: columns, data: raw)
            var y = [Float](repeating: .nan, count: rows)
            for pool in [Self.pool, ComputePool(threads: 1)] {
                try x.withUnsafeBufferPointer { xp in
                    try y.withUnsafeMutableBufferPointer { try m.multiply(vector: xp.baseAddress!, into: $0.baseAddress!, pool: pool) }
                }
                #expect(y == expected)
            }
            for r in 0..<rows {
                let row = Array(w[(r * columns)..<((r + 1) * columns)])
                var truth = 0.0, magnitude = 0.0
                for j in 0..<columns {
                    truth += Double(row[j]) * Double(x[j])
                    magnitude += abs(Double(row[j]) * Double(x[j]))
                }
                let bound = QuantKernelTests.quantizationBound(type: type, weights: row, x: x) * 1.1 + 1e-5 * magnitude + 1e-5
                #expect(abs(Double(y[r]) - truth) <= bound, "\(type) row \(r)")
            }
        }
    }

    /// Products that share one input, handed to the pool at once, give each output exactly what
    /// multiply(vector:) gives it alone: for matrices of different types and sizes (the parts the
    /// threads get cross from one matrix into the next), and for a list small enough to run on the
    /// calling thread.
    @Test(arguments: [[(GGMLType.q5_0, 161), (.q8_0, 37), (.q4_K, 64)], [(.q6_K, 96), (.q4_0, 7)], [(.q8_0, 3), (.q4_1, 2)]])
    func sharedInputProducts(shapes: [(GGMLType, Int)]) throws {
        let columns = 512
        let x = TestData.activations(count: columns, seed: 8)
        // All the matrices' bytes in one buffer, each at its own offset.
        var bytes: [UInt8] = [], offsets: [Int] = []
        for (index, (type, rows)) in shapes.enumerated() {
            offsets.append(bytes.count)
            bytes += TestData.weights(type: type, count: rows * columns, seed: UInt64(30 + index))
        }
        offsets.append(bytes.count)
        try bytes.withUnsafeBytes { raw in
            let matrices = try shapes.indices.map { i in
                try QuantizedMatrix(
                    type: shapes[i].0, rows: shapes[i].1, columns: columns,
                    data: UnsafeRawBufferPointer(rebasing: raw[offsets[i]..<offsets[i + 1]]))
            }
            for pool in [Self.pool, ComputePool(threads: 1)] {
                var alone: [[Float]] = []
                for m in matrices {
                    var y = [Float](repeating: .nan, count: m.rows)
                    try x.withUnsafeBufferPointer { xp in
                        try y.withUnsafeMutableBufferPointer { try m.multiply(vector: xp.baseAddress!, into: $0.baseAddress!, pool: pool) }
                    }
                    alone.append(y)
                }
                let outputs = matrices.map { UnsafeMutablePointer<Float>.allocate(capacity: $0.rows) }
                defer { outputs.forEach { $0.deallocate() } }
                for (m, output) in zip(matrices, outputs) { output.initialize(repeating: .nan, count: m.rows) }
                let products = zip(matrices, outputs).map { QuantizedMatrix.Product($0, into: $1) }
                try x.withUnsafeBufferPointer { try QuantizedMatrix.multiply(products, vector: $0.baseAddress!, pool: pool) }
                let together = zip(outputs, matrices).map { Array(UnsafeBufferPointer(start: $0, count: $1.rows)) }
                #expect(together == alone, "\(shapes.map { "\($0.0)×\($0.1)" }) on \(pool.threads) threads")
            }
        }
    }

    /// Both batch methods against the float product of the reference weights: BLAS works on exactly
    /// dequantized weights (float rounding only); the integer kernels add the activation quantization
    /// bound. Batch row i must also equal multiply(vector:) of X[i] for the integer method.
    @Test(arguments: GGMLType.weightTypes)
    func batchProduct(type: GGMLType) throws {
        let rows = 24, columns = 512, n = 17
        let bytes = TestData.weights(type: type, count: rows * columns, seed: 8)
        let w = try bytes.withUnsafeBytes { try Dequantize.reference(type: type, bytes: $0, count: rows * columns) }
        let x = TestData.activations(count: n * columns, seed: 4)
        let wRows = (0..<rows).map { Array(w[($0 * columns)..<(($0 + 1) * columns)]) }
        let xRows = (0..<n).map { Array(x[($0 * columns)..<(($0 + 1) * columns)]) }
        try bytes.withUnsafeBytes { raw in
            let m = try QuantizedMatrix(type: type, rows: rows, columns: columns, data: raw)
            for method in BatchMethod.allCases {
                var y = [Float](repeating: .nan, count: n * rows)
                try x.withUnsafeBufferPointer { xp in
                    try y.withUnsafeMutableBufferPointer {
                        try m.multiply(batch: xp.baseAddress!, count: n, into: $0.baseAddress!, pool: Self.pool, method: method, kernel: .best)
                    }
                }
                var worst = 0.0
                for i in 0..<n {
                    let xi = xRows[i]
                    for r in 0..<rows {
                        var truth = 0.0, magnitude = 0.0
                        for j in 0..<columns {
                            let p = Double(wRows[r][j]) * Double(xi[j])
                            truth += p
                            magnitude += abs(p)
                        }
                        let quantization = method == .blas ? 0 : QuantKernelTests.quantizationBound(type: type, weights: wRows[r], x: xi) * 1.1
                        let excess = abs(Double(y[i * rows + r]) - truth) - (quantization + 1e-5 * magnitude + 1e-5)
                        worst = max(worst, excess)
                    }
                }
                #expect(worst <= 0, "\(type) \(method): exceeds the bound by \(worst)")
                if method == .integer {
                    var single = [Float](repeating: .nan, count: rows)
                    try x.withUnsafeBufferPointer { xp in
                        try single.withUnsafeMutableBufferPointer {
                            try m.multiply(vector: xp.baseAddress! + 7 * columns, into: $0.baseAddress!, pool: Self.pool)
                        }
                    }
                    #expect(Array(y[(7 * rows)..<(8 * rows)]) == single)
                }
            }
        }
    }

    /// A verification pass's products: every row of multiply(vectors:) is, bit for bit, what
    /// multiply(vector:) gives that row alone, for batch sizes below, at and past the K-quant
    /// kernels' 4- and 8-row groups (on a CPU with AVX-512 VNNI those kernels share each weight
    /// super-block between the rows and reduce the rows' sums together).
    @Test(arguments: GGMLType.weightTypes)
    func vectorsAreSummedAsSingleVectors(type: GGMLType) throws {
        let columns = type.blockSize == 256 ? 1536 : 896
        let rows = 45
        let bytes = TestData.weights(type: type, count: rows * columns, seed: 21)
        for n in [1, 2, 3, 4, 5, 7, 8, 9, 13, 17] {
            let x = TestData.activations(count: n * columns, seed: UInt64(30 + n))
            var batched = [Float](repeating: .nan, count: n * rows)
            var single = [Float](repeating: .nan, count: n * rows)
            try bytes.withUnsafeBytes { raw in
                let m = try QuantizedMatrix(type: type, rows: rows, columns: columns, data: raw)
                try x.withUnsafeBufferPointer { xp in
                    try batched.withUnsafeMutableBufferPointer {
                        try m.multiply(vectors: xp.baseAddress!, count: n, into: $0.baseAddress!, pool: Self.pool)
                    }
                    try single.withUnsafeMutableBufferPointer { yp in
                        for i in 0..<n {
                            try m.multiply(vector: xp.baseAddress! + i * columns, into: yp.baseAddress! + i * rows, pool: Self.pool)
                        }
                    }
                }
            }
            let differing = zip(batched, single).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "\(type), \(n) rows: \(differing) of \(n * rows) outputs differ from their one-row products")
            #expect(batched.allSatisfy { !$0.isNaN })
        }
    }

    /// The integer GEMM against the exact product of the reference weights with the activations as
    /// quantized (only float rounding may differ), on row counts that are not whole 32-row tiles,
    /// batch sizes around the 4-row register block, and (n = 600) widths split into column blocks.
    @Test(arguments: [GGMLType.q4_K, .q6_K, .q5_0, .q8_0])
    func gemmMatchesReference(type: GGMLType) throws {
        let wide = type.blockSize == 256 ? 2048 : 1568
        let narrow = type.blockSize == 256 ? 512 : 800
        let shapes = [(37, narrow, 1), (37, narrow, 3), (37, narrow, 17), (37, narrow, 64), (37, narrow, 100), (19, wide, 600)]
        for (rows, columns, n) in shapes {
            let bytes = TestData.weights(type: type, count: rows * columns, seed: UInt64(rows + n))
            let w = try bytes.withUnsafeBytes { try Dequantize.reference(type: type, bytes: $0, count: rows * columns) }
            let x = TestData.activations(count: n * columns, seed: UInt64(n))
            var y = [Float](repeating: .nan, count: n * rows)
            try bytes.withUnsafeBytes { raw in
                let m = try QuantizedMatrix(type: type, rows: rows, columns: columns, data: raw)
                try x.withUnsafeBufferPointer { xp in
                    try y.withUnsafeMutableBufferPointer {
                        try m.multiply(batch: xp.baseAddress!, count: n, into: $0.baseAddress!, pool: Self.pool, method: .gemm, kernel: .best)
                    }
                }
            }
            var worst = 0.0
            for i in stride(from: 0, to: n, by: n > 100 ? 7 : 1) {
                let xq = QuantKernel.best.quantize(type: type, Array(x[(i * columns)..<((i + 1) * columns)]))
                let decoded = try #require(QuantKernelTests.decode(type: type, xq, count: columns))
                for r in 0..<rows {
                    var exact = 0.0, magnitude = 0.0
                    for j in 0..<columns {
                        let p = Double(w[r * columns + j]) * Double(decoded[j])
                        exact += p
                        magnitude += abs(p)
                    }
                    // Written so a NaN (a row the kernel never stored) fails the check.
                    let excess = abs(Double(y[i * rows + r]) - exact) - (1e-5 * magnitude + 1e-6)
                    if !(excess <= worst) { worst = excess }
                }
            }
            #expect(worst <= 0, "\(type) \(rows)×\(columns), n = \(n): exceeds float rounding by \(worst)")
        }
    }
}
