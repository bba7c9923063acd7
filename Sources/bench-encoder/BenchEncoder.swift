#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Inference

/// Embeds passages from a JSONL file (one {"text": …} per line) with `Embedder` and prints one JSON
/// line: passages/s, tokens/s (after truncation, [CLS]/[SEP] included) and peak RSS. Scripts/bench-encoder
/// runs it beside ONNX Runtime and sentence-transformers.
///
/// Usage: bench-encoder MODEL_DIR PASSAGES.jsonl [--threads 2] [--batch 32] [--runs 1]
///
/// With `--check-goldens GOLDENS.json` (Scripts/make-encoder-goldens' file: records of token `ids`
/// and base64 little-endian Float32 `vector`s), it embeds the golden ids instead and prints the
/// smallest cosine to the golden vectors. Since it restarts itself with better OpenBLAS kernels as
/// `sottod` does, this checks the kernels production runs, which a test process does not get.
@main
struct BenchEncoder {
    static func main() throws {
        BLASRuntime.restartWithBetterKernelsIfNeeded()
        var arguments = Array(CommandLine.arguments.dropFirst())
        func option(_ name: String, _ fallback: Int) -> Int {
            guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let value = Int(arguments[index + 1]) else { return fallback }
            arguments.removeSubrange(index...(index + 1))
            return value
        }
        var goldens: String?
        if let index = arguments.firstIndex(of: "--check-goldens"), index + 1 < arguments.count {
            goldens = arguments[index + 1]
            arguments.removeSubrange(index...(index + 1))
        }
        let threads = option("--threads", 2), batch = option("--batch", 32), runs = option("--runs", 1)
        guard arguments.count == (goldens == nil ? 2 : 1) else {
            FileHandle.standardError.write(Data("""
                usage: bench-encoder MODEL_DIR PASSAGES.jsonl [--threads N] [--batch N] [--runs N]
                       bench-encoder MODEL_DIR --check-goldens GOLDENS.json [--threads N] [--batch N]

                """.utf8))
            exit(2)
        }
        let embedder = try Embedder(modelDirectory: URL(fileURLWithPath: arguments[0]), threads: threads)
        if let goldens {
            return try checkGoldens(embedder, path: goldens, batch: batch)
        }
        let passages = try String(contentsOfFile: arguments[1], encoding: .utf8).split(separator: "\n").compactMap { line -> String? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return object["text"] as? String
        }
        let tokens = passages.reduce(0) { $0 + min(embedder.tokenCount(Substring($1)) + 2, embedder.maxSequenceLength) }
        _ = try embedder.embed(Array(passages.prefix(64)), batchSize: batch) // warm-up: buffers, pages, BLAS threads
        var rates: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            let vectors = try embedder.embed(passages, batchSize: batch)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            guard vectors.count == passages.count else { exit(1) }
            rates.append(Double(passages.count) / seconds)
        }
        let rate = rates.sorted()[rates.count / 2]
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print(#"{"engine":"sotto","passages":\#(passages.count),"tokens":\#(tokens),"passages_per_s":\#(rate),"tokens_per_s":\#(rate * Double(tokens) / Double(passages.count)),"peak_rss_mb":\#(Double(usage.ru_maxrss) / 1024),"blas_core":"\#(BLASRuntime.coreName)","gemm":"\#(EncoderProducts.kernel)"}"#)
    }

    /// Prints {"records", "min_cosine", "blas_core"} for the goldens at `path`; exits 1 when they cannot be read.
    static func checkGoldens(_ embedder: Embedder, path: String, batch: Int) throws {
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let records = object["records"] as? [[String: Any]] else {
            FileHandle.standardError.write(Data("bench-encoder: \(path) is not a goldens file (a JSON object with \"records\")\n".utf8))
            exit(1)
        }
        var ids: [[Int32]] = [], expected: [[Float]] = []
        for (index, record) in records.enumerated() {
            guard let tokens = record["ids"] as? [Int], let encoded = record["vector"] as? String,
                  let bytes = Data(base64Encoded: encoded), bytes.count % 4 == 0 else {
                FileHandle.standardError.write(Data("bench-encoder: record \(index) of \(path) lacks \"ids\" or a base64 \"vector\"\n".utf8))
                exit(1)
            }
            ids.append(tokens.map { Int32(clamping: $0) })
            expected.append(bytes.withUnsafeBytes { raw in
                (0..<(bytes.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            })
        }
        let vectors = try embedder.embed(tokenIDs: ids, batchSize: batch)
        var worst = 1.0
        for (vector, golden) in zip(vectors, expected) {
            var dot = 0.0, a = 0.0, b = 0.0
            for (x, y) in zip(vector, golden) { dot += Double(x) * Double(y); a += Double(x) * Double(x); b += Double(y) * Double(y) }
            worst = min(worst, vector.count == golden.count ? dot / max((a * b).squareRoot(), 1e-30) : -1)
        }
        print(#"{"records":\#(records.count),"min_cosine":\#(worst),"blas_core":"\#(BLASRuntime.coreName)","gemm":"\#(EncoderProducts.kernel)"}"#)
    }
}
