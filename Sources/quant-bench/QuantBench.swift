// The micro-benchmark behind BatchMethod.preferred's crossover batch sizes: for one weight matrix of
// each quantized type in a GGUF file, the throughput of every batch method (sgemm over dequantized
// tiles, the matrix-vector integer kernels row by row, the VNNI integer GEMM) at growing batch sizes,
// on one thread, in CPU time (a shared machine's other work does not count against a method).
//
//   swift build -c release --product quant-bench
//   .build/release/quant-bench [--model FILE.gguf] [--counts 1,2,4,8,12,16,32,64,128] [--repeat-seconds 0.3]
//
// --model defaults to the 0.5B decoder in the models directory ($SOTTO_MODELS_DIR, else
// ~/.local/share/sotto/models): it holds Q5_0, Q8_0, Q4_K and Q6_K matrices. It prints the CPU, the
// command, a table of GFLOP/s (2·rows·columns·n per CPU second) and, per type, the smallest batch
// from which a batch method beats the row-by-row kernels.
import Foundation
import GGUF
import Quant

@main
struct QuantBench {
    static func main() {
        let arguments = CommandLine.arguments
        func value(_ name: String) -> String? {
            arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
        }
        if arguments.contains("--help") || arguments.contains("-h") {
            print("usage: quant-bench [--model FILE.gguf] [--counts 1,2,4,8,...] [--repeat-seconds S]")
            print("       quant-bench --roofline [--model FILE.gguf] [--threads T] [--tokens N]")
            return
        }
        let environment = ProcessInfo.processInfo.environment
        let models = environment["SOTTO_MODELS_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share/sotto/models").path
        let path = value("--model") ?? models + "/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
        let counts = (value("--counts") ?? "1,2,4,8,12,16,32,64,128").split(separator: ",").compactMap { Int($0) }
        let seconds = value("--repeat-seconds").flatMap(Double.init) ?? 0.3
        let file: GGUFFile
        do {
            file = try GGUFFile(contentsOf: URL(fileURLWithPath: path))
        } catch {
            FileHandle.standardError.write(Data("quant-bench: cannot read \(path): \(error)\n".utf8))
            exit(1)
        }
        if arguments.contains("--roofline") {
            let threads = value("--threads").flatMap(Int.init) ?? ProcessInfo.processInfo.activeProcessorCount
            let tokens = value("--tokens").flatMap(Int.init) ?? 20
            guard threads >= 1, threads <= 256, tokens >= 1 else {
                FileHandle.standardError.write(Data("quant-bench: --threads must be 1...256 and --tokens at least 1\n".utf8))
                exit(2)
            }
            do {
                try Roofline.run(file: file, path: path, threads: threads, tokens: tokens)
            } catch {
                FileHandle.standardError.write(Data("quant-bench: \(error)\n".utf8))
                exit(1)
            }
            return
        }
        print("CPU: \(cpuModel()); command: \(arguments.joined(separator: " ")); model: \(path)")
        let pool = ComputePool(threads: 1)
        for type in [GGMLType.q4_K, .q6_K, .q5_0, .q8_0, .q4_0, .q4_1, .f16] {
            // The first matrix of the type that is not the token embedding (its rows are looked up, not multiplied).
            guard let info = file.tensors.first(where: { $0.type == type && $0.dimensions.count == 2 && $0.name != "token_embd.weight" }),
                let matrix = try? QuantizedMatrix(
                    type: type, rows: Int(info.dimensions[1]), columns: Int(info.dimensions[0]), data: file.data(of: info))
            else { continue }
            print("\n\(type) \(info.name) \(matrix.rows)×\(matrix.columns) — GFLOP/s by batch size (1 thread, CPU time)")
            let methods = QuantizedMatrix.benchmarkMethods(type: type, columns: matrix.columns)
            print("n".padding(toLength: 6, withPad: " ", startingAt: 0) + methods.map { $0.padding(toLength: 10, withPad: " ", startingAt: 0) }.joined())
            var crossover: Int?
            for n in counts {
                let x = (0..<(n * matrix.columns)).map { Float(sin(Double($0) * 0.37)) }
                var y = [Float](repeating: 0, count: n * matrix.rows)
                var rates: [Double] = []
                for method in methods {
                    var runs = 0
                    let start = cpuSeconds()
                    repeat {
                        do {
                            try x.withUnsafeBufferPointer { xp in
                                try y.withUnsafeMutableBufferPointer { yp in
                                    try matrix.benchmarkMultiply(batch: xp.baseAddress!, count: n, into: yp.baseAddress!, pool: pool, method: method)
                                }
                            }
                        } catch {
                            FileHandle.standardError.write(Data("quant-bench: \(error)\n".utf8))
                            exit(1)
                        }
                        runs += 1
                    } while cpuSeconds() - start < seconds
                    let elapsed = cpuSeconds() - start
                    rates.append(2 * Double(matrix.rows * matrix.columns * n * runs) / elapsed / 1e9)
                }
                if crossover == nil, let integer = methods.firstIndex(of: "integer"),
                    rates.indices.contains(where: { $0 != integer && rates[$0] > rates[integer] })
                {
                    crossover = n
                }
                print("\(n)".padding(toLength: 6, withPad: " ", startingAt: 0)
                    + rates.map { String(format: "%-10.1f", $0) }.joined())
            }
            print("a batch method beats the row-by-row kernels from n = \(crossover.map(String.init) ?? "never (in these sizes)")")
        }
    }

    static func cpuSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?"
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    static func cpuModel() -> String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        return info.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "?" } ?? "?"
    }
}
