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
        let threads = option("--threads", 2), batch = option("--batch", 32), runs = option("--runs", 1)
        guard arguments.count == 2 else {
            FileHandle.standardError.write(Data("usage: bench-encoder MODEL_DIR PASSAGES.jsonl [--threads N] [--batch N] [--runs N]\n".utf8))
            exit(2)
        }
        let embedder = try Embedder(modelDirectory: URL(fileURLWithPath: arguments[0]), threads: threads)
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
        print(#"{"engine":"sotto","passages":\#(passages.count),"tokens":\#(tokens),"passages_per_s":\#(rate),"tokens_per_s":\#(rate * Double(tokens) / Double(passages.count)),"peak_rss_mb":\#(Double(usage.ru_maxrss) / 1024),"blas_core":"\#(BLASRuntime.coreName)"}"#)
    }
}
