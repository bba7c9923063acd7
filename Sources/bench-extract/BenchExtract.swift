import Extract
import Foundation

/// Extracts each file given (format from its name and bytes) `--runs` times and prints one JSON line:
/// the median wall time of a pass over all files and the median CPU time (user + system) of a pass,
/// pages (PDF pages, slides, sheets), input MB, and pages/s and MB/s. Scripts/bench-extract runs it
/// beside pdftotext on the same files. On a loaded machine the CPU time is the figure to compare: the
/// wall time counts the other processes' turns too.
///
/// Usage: bench-extract [--runs 5] FILE...
@main
struct BenchExtract {
    static func main() throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        var runs = 5
        if let index = arguments.firstIndex(of: "--runs"), index + 1 < arguments.count, let value = Int(arguments[index + 1]) {
            runs = max(1, value)
            arguments.removeSubrange(index...(index + 1))
        }
        var inputs: [(name: String, bytes: [UInt8], format: DocumentFormat)] = []
        for path in arguments {
            let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
            let name = URL(fileURLWithPath: path).lastPathComponent
            guard let format = DocumentFormat.detect(fileName: name, path: path, prefix: bytes.prefix(4096)) else {
                FileHandle.standardError.write(Data("bench-extract: \(path) is not a document format, skipped\n".utf8))
                continue
            }
            inputs.append((name, bytes, format))
        }
        var times: [Double] = []
        var cpuTimes: [Double] = []
        var pages = 0
        var failures = 0
        for _ in 0..<runs {
            pages = 0
            failures = 0
            let start = DispatchTime.now().uptimeNanoseconds
            let cpuStart = cpuSeconds()
            for input in inputs {
                do {
                    let document = try Extraction.extract(input.bytes, format: input.format, fileName: input.name)
                    pages += document.pageCount ?? 1
                } catch {
                    failures += 1
                }
            }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            cpuTimes.append(cpuSeconds() - cpuStart)
        }
        let median = times.sorted()[times.count / 2]
        let cpuMedian = cpuTimes.sorted()[cpuTimes.count / 2]
        let megabytes = Double(inputs.reduce(0) { $0 + $1.bytes.count }) / 1_048_576
        let result: [String: Any] = [
            "files": inputs.count, "pages": pages, "failures": failures, "runs": runs, "medianSeconds": median,
            "medianCPUSeconds": cpuMedian,
            "megabytes": megabytes, "pagesPerSecond": Double(pages) / median, "megabytesPerSecond": megabytes / median,
        ]
        let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }

    /// This process's user and system CPU time so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return user + system
    }
}
