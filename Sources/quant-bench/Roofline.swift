// quant-bench --roofline: where a decode step's time goes against the memory bandwidth.
//
// A decode step multiplies every layer's seven weight matrices and the output matrix by one vector;
// the weights (hundreds of MB) do not fit any cache, so each step reads them all from memory. This
// runs exactly those products, in the decoder's order, with the decoder's kernels and thread pool,
// and then reads the same bytes with nothing else to do (the same threads, the same row parts, a
// streaming read with prefetch). Per matrix type it prints the bytes read per token, the
// time the products take and the GB/s they achieve, the read-only time and GB/s of the same bytes,
// and their ratio: how far the arithmetic keeps the products from the bandwidth roofline. The two
// passes alternate token by token, so a shared machine's load falls on both alike.
import CKernels
import Foundation
import GGUF
import Quant

struct Roofline {
    /// One weight matrix a decode step multiplies.
    struct Product {
        let name: String
        let matrix: QuantizedMatrix
        let bytes: UnsafeRawBufferPointer
    }

    /// Per matrix type: seconds summed over the measured tokens.
    struct Totals {
        var matrices = 0
        var bytes = 0
        var product: Double = 0
        var read: Double = 0
    }

    static let layerMatrices = ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"]

    /// The matrices of one decode step in the decoder's order; the output matrix is the token
    /// embedding when the model ties them (no output.weight).
    static func decodeProducts(of file: GGUFFile) throws -> [Product] {
        let byName = Dictionary(file.tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var names: [String] = []
        var layer = 0
        while byName["blk.\(layer).attn_q.weight"] != nil {
            names += layerMatrices.map { "blk.\(layer).\($0).weight" }
            layer += 1
        }
        names.append(byName["output.weight"] != nil ? "output.weight" : "token_embd.weight")
        return try names.map { name in
            guard let info = byName[name], info.dimensions.count == 2 else { throw RooflineError.missingTensor(name) }
            let bytes = file.data(of: info)
            let matrix = try QuantizedMatrix(type: info.type, rows: info.dimensions[1], columns: info.dimensions[0], data: bytes)
            return Product(name: name, matrix: matrix, bytes: bytes)
        }
    }

    static func run(file: GGUFFile, path: String, threads: Int, tokens: Int) throws {
        let products = try decodeProducts(of: file)
        let pool = ComputePool(threads: threads)
        let width = products.map { max($0.matrix.columns, $0.matrix.rows) }.max() ?? 1
        let x = (0..<width).map { Float(sin(Double($0) * 0.37)) }
        var y = [Float](repeating: 0, count: width)
        let level = sotto_quant_best_level()
        var totals: [GGMLType: Totals] = [:]
        var productSteps: [Double] = [], readSteps: [Double] = []
        var checksum: UInt64 = 0

        // One untimed step of each kind first: the weights' pages mapped, the pool's threads awake.
        // The read-only pass is a pass of its own over every matrix, not each matrix read again just
        // after its product: most matrices fit the last-level cache, a whole step's bytes do not.
        for step in -1..<tokens {
            var productStep: Double = 0, readStep: Double = 0
            for product in products {
                let m = product.matrix
                let start = now()
                try x.withUnsafeBufferPointer { xp in
                    try y.withUnsafeMutableBufferPointer { yp in
                        guard let xb = xp.baseAddress, let yb = yp.baseAddress else { return }
                        try m.multiply(vector: xb, into: yb, pool: pool)
                    }
                }
                let seconds = now() - start
                productStep += seconds
                guard step >= 0 else { continue }
                totals[m.type, default: Totals()].product += seconds
                if step == 0 {
                    totals[m.type, default: Totals()].matrices += 1
                    totals[m.type, default: Totals()].bytes += m.rows * m.rowBytes
                }
            }
            for product in products {
                let start = now()
                checksum &+= read(product, pool: pool, level: level)
                let seconds = now() - start
                readStep += seconds
                if step >= 0 { totals[product.matrix.type, default: Totals()].read += seconds }
            }
            if step >= 0 {
                productSteps.append(productStep)
                readSteps.append(readStep)
            }
        }
        report(totals: totals, productSteps: productSteps, readSteps: readSteps, path: path, threads: threads, tokens: tokens, checksum: checksum)
    }

    /// Reads a matrix's bytes in the parts `multiply(vector:)` gives each thread.
    static func read(_ product: Product, pool: ComputePool, level: Int32) -> UInt64 {
        guard let base = product.bytes.baseAddress else { return 0 }
        let rowBytes = product.matrix.rowBytes
        let sums = Sums()
        if product.matrix.rows * product.matrix.columns < QuantizedMatrix.parallelThresholdForBenchmarks {
            return sotto_quant_stream_read(base, product.matrix.rows * rowBytes, level)
        }
        nonisolated(unsafe) let shared = base  // read only, by each thread in its own part
        pool.parallelFor(product.matrix.rows) { rows in
            sums.add(sotto_quant_stream_read(shared + rows.lowerBound * rowBytes, rows.count * rowBytes, level))
        }
        return sums.total
    }

    static func report(
        totals: [GGMLType: Totals], productSteps: [Double], readSteps: [Double], path: String, threads: Int, tokens: Int,
        checksum: UInt64
    ) {
        let n = Double(tokens)
        print("Decode-step products against the bandwidth roofline: \(path)")
        print("CPU: \(QuantBench.cpuModel()); \(threads) threads; \(tokens) tokens; load average \(QuantBench.loadAverage())")
        print("command: \(CommandLine.arguments.joined(separator: " "))")
        print("")
        print("| type | matrices | MB per token | products ms/token | products GB/s | read-only ms/token | read-only GB/s | products / read-only |")
        print("|---|---|---|---|---|---|---|---|")
        var all = Totals()
        for (type, t) in totals.sorted(by: { $0.value.bytes > $1.value.bytes }) {
            print(row("\(type)", t, n))
            all.matrices += t.matrices
            all.bytes += t.bytes
            all.product += t.product
            all.read += t.read
        }
        print(row("all", all, n))
        let productMedian = median(productSteps), readMedian = median(readSteps)
        print("")
        print(String(
            format: "Median step: products %.2f ms (%.1f tokens/s if nothing else ran), read-only %.2f ms (%.1f tokens/s: the roofline for these bytes).",
            productMedian * 1000, 1 / productMedian, readMedian * 1000, 1 / readMedian))
        print("A decode step also runs attention, norms, RoPE and sampling, not counted here. (checksum \(checksum % 1000))")
    }

    static func row(_ label: String, _ t: Totals, _ n: Double) -> String {
        let mb = Double(t.bytes) / 1e6
        let product = t.product / n, read = t.read / n
        return String(
            format: "| %@ | %d | %.1f | %.2f | %.1f | %.2f | %.1f | %.2f |", label, t.matrices, mb, product * 1000,
            mb / 1000 / product, read * 1000, mb / 1000 / read, product / read)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}

/// The threads' checksums (each thread adds its own part's once).
private final class Sums: @unchecked Sendable {
    private let lock = NSLock()
    private var sum: UInt64 = 0
    func add(_ value: UInt64) {
        lock.lock()
        sum &+= value
        lock.unlock()
    }
    var total: UInt64 { lock.withLock { sum } }
}

enum RooflineError: Error, CustomStringConvertible {
    case missingTensor(String)
    var description: String {
        switch self {
        case .missingTensor(let name): "the model has no 2-D tensor \(name)"
        }
    }
}
