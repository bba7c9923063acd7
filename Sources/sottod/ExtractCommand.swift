import ArgumentParser
import Extract
import Foundation
import Sandbox
#if canImport(Glibc)
import Glibc
#endif

/// `sottod extract`: the extraction sandbox. The daemon starts it for every document that is not plain
/// text, with the document open on standard input; it locks itself down, parses, and writes an
/// ``ExtractorReply`` as JSON to standard output. Standard error is for diagnostics only.
struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Read one document from standard input inside the sandbox (started by the daemon).",
        discussion: """
            Writes the document's text and locators, or why it could not be read, as JSON to standard \
            output. Before parsing it limits its memory, CPU time and descriptors, forbids new files, core \
            dumps and privileges, and installs a seccomp filter: it can no longer open files, use the \
            network or start programs.
            """,
        shouldDisplay: false)

    @Option(name: .long, help: ArgumentHelp("The document's format (pdf, docx, html, …).", valueName: "format"))
    var format: String

    @Option(name: .long, help: ArgumentHelp("The document's file name, for messages.", valueName: "name"))
    var name: String

    @Option(name: .long, help: ArgumentHelp("Address-space limit in MiB.", valueName: "MiB"))
    var memoryLimitMb = 1024

    @Option(name: .long, help: ArgumentHelp("CPU-time limit in seconds.", valueName: "seconds"))
    var cpuLimitSeconds = 90

    @Option(name: .long, help: ArgumentHelp("The extractors' limits as JSON (ExtractionLimits).", valueName: "json"))
    var limits: String?

    @Option(name: .long, help: ArgumentHelp("OCR settings as JSON (OCRSettings); without them, no OCR.", valueName: "json"))
    var ocr: String?

    @Flag(name: .long, help: "With --ocr: recognise nothing, list the pages OCR would read (the indexer's survey).")
    var ocrSurvey = false

    func validate() throws {
        guard DocumentFormat(rawValue: format) != nil else {
            throw ValidationError("unknown format \(format); one of \(DocumentFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard (16...65_536).contains(memoryLimitMb) else { throw ValidationError("--memory-limit-mb must be 16…65536") }
        guard (1...86_400).contains(cpuLimitSeconds) else { throw ValidationError("--cpu-limit-seconds must be 1…86400") }
    }

    func run() throws {
        guard let format = DocumentFormat(rawValue: format) else { throw ExitCode(2) }
        var extractionLimits = ExtractionLimits()
        if let limits {
            guard let decoded = try? JSONDecoder().decode(ExtractionLimits.self, from: Data(limits.utf8)) else {
                throw ValidationError("--limits is not an ExtractionLimits JSON object")
            }
            extractionLimits = decoded
        }
        var ocrSettings: OCRSettings?
        if let ocr {
            guard let decoded = try? JSONDecoder().decode(OCRSettings.self, from: Data(ocr.utf8)) else {
                throw ValidationError("--ocr is not an OCRSettings JSON object")
            }
            ocrSettings = decoded
        }
        let memoryBytes = memoryLimitMb << 20

        // Everything that may open a file or map a library happens before the filter: the input is
        // read, the JSON encoder has run once, iconv's charset converters are loaded, and the extractor
        // has had a dry run on empty input (which loads what its parser loads lazily).
        let input: [UInt8]
        do {
            input = try Self.readStandardInput(limit: memoryBytes)
        } catch {
            Self.fail("cannot read the document: \(error.message)")
        }
        let encoder = JSONEncoder()
        _ = try? encoder.encode(ExtractorReply.failure(ExtractionFailure(.corrupt, "warm-up")))
        Extraction.preload()
        _ = try? Extraction.extract([], format: format, fileName: name, limits: extractionLimits)
        // Tesseract reads its language data from files, so it is loaded (and run once) here.
        var engine: OCREngine?
        var engineFailure: ExtractionFailure?
        if let ocrSettings, format.mayNeedOCR, !ocrSurvey {
            do {
                let ready = try OCREngine(settings: ocrSettings)
                ready.warmUp()
                // Each page begun earns the parent's deadline one page time limit (ExtractorProcess).
                ready.pageBegins = {
                    var mark = ExtractorProcess.progressMark
                    _ = write(STDERR_FILENO, &mark, 1)
                }
                engine = ready
            } catch {
                engineFailure = error
            }
        }
        do {
            let filter = try SyscallFilter()
            try ExtractorLockdown.apply(
                SandboxLimits(memoryBytes: memoryBytes, cpuSeconds: cpuLimitSeconds), filter: filter)
        } catch {
            Self.fail("cannot set up the sandbox: \(error.message)")
        }

        let reply: ExtractorReply
        if format.isImage, engine == nil, let engineFailure {
            reply = .failure(engineFailure)
        } else {
            do {
                reply = .document(try Extraction.extract(
                    input, format: format, fileName: name, limits: extractionLimits, ocr: engine,
                    survey: ocrSurvey ? ocrSettings : nil))
            } catch {
                reply = .failure(error)
            }
        }
        guard let data = try? encoder.encode(reply) else { Self.fail("cannot encode the result") }
        guard Self.writeStandardOutput(data) else { Self.fail("cannot write the result: \(String(cString: strerror(errno)))") }
        // Straight out: the result is written (unbuffered), and the runtime's teardown would only
        // meet the filter (threads, logging) for nothing.
        _exit(0)
    }

    private struct ReadError: Error {
        var message: String
    }

    private static func readStandardInput(limit: Int) throws(ReadError) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if got == 0 { return bytes }
            if got < 0 {
                if errno == EINTR { continue }
                throw ReadError(message: String(cString: strerror(errno)))
            }
            bytes.append(contentsOf: buffer[0..<got])
            guard bytes.count <= limit else { throw ReadError(message: "larger than the memory limit") }
        }
    }

    private static func writeStandardOutput(_ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(1, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }

    /// Exit status 3: the runner reports the message (from standard error) as the failure.
    private static func fail(_ message: String) -> Never {
        let line = Array("sottod extract: \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        _exit(3)
    }
}
