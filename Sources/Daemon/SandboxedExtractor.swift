import Dispatch
public import Extract
import Foundation
public import Ingest
import Sandbox
import Synchronization

/// Has documents read by `sottod extract` in a child process: the daemon re-executes itself with the
/// document open on standard input, the child locks itself down (rlimits, no_new_privs, seccomp) and
/// answers one JSON ``ExtractorReply``. A crash, a hang past `timeout`, running out of memory, or too
/// much output costs that one document, never the daemon.
public struct SandboxedExtractor: DocumentExtracting {
    public var executable: String
    /// The child's arguments for one document, after the executable.
    public var arguments: @Sendable (DocumentFormat, String) -> [String]
    public var timeout: Duration
    /// The child's address-space limit, for the "ran out of memory" message.
    public var memoryLimitBytes: Int
    /// The child's CPU-time limit, for the message when it is reached.
    public var cpuLimitSeconds: Int
    public var maxOutputBytes: Int
    /// Whether images and scanned PDF pages are recognised, and the limits of that.
    public var ocr: OCRSetting.Resolution
    /// The build of the executable, the libraries the extractors use and every setting the child
    /// gets (``DocumentExtracting/fingerprint``).
    public var fingerprint = ""

    /// Children run on their own threads: each blocks in poll/waitpid for up to `timeout`.
    private static let queue = DispatchQueue(label: "sotto.extract", qos: .utility, attributes: .concurrent)

    public init(
        executable: String, arguments: @escaping @Sendable (DocumentFormat, String) -> [String],
        timeout: Duration = .seconds(60), memoryLimitBytes: Int = 1 << 30, cpuLimitSeconds: Int = 90,
        maxOutputBytes: Int = 256 << 20, ocr: OCRSetting.Resolution = .off(reason: "not configured")
    ) {
        self.executable = executable
        self.arguments = arguments
        self.timeout = timeout
        self.memoryLimitBytes = memoryLimitBytes
        self.cpuLimitSeconds = cpuLimitSeconds
        self.maxOutputBytes = maxOutputBytes
        self.ocr = ocr
    }

    /// `sottod extract` of this very binary (`/proc/self/exe`), with the limits given.
    public static func sottod(
        executable: String = "/proc/self/exe", timeout: Duration = .seconds(60), memoryLimitBytes: Int = 1 << 30,
        limits: ExtractionLimits = ExtractionLimits(), ocr: OCRSetting.Resolution = .off(reason: "not configured")
    ) -> SandboxedExtractor {
        let limitsJSON = (try? JSONEncoder().encode(limits)).map { String(decoding: $0, as: UTF8.self) }
        let ocrJSON = ocr.settings.flatMap { try? JSONEncoder().encode($0) }.map { String(decoding: $0, as: UTF8.self) }
        let memoryMB = max(16, memoryLimitBytes >> 20)
        var extractor = SandboxedExtractor(
            executable: executable, arguments: { _, _ in [] }, timeout: timeout, memoryLimitBytes: memoryMB << 20,
            cpuLimitSeconds: Int(timeout.components.seconds) + 30, maxOutputBytes: limits.maxTextBytes * 4 + (1 << 20),
            ocr: ocr)
        let timeouts = extractor
        extractor.arguments = { format, name in
            var arguments = [
                "extract", "--format", format.rawValue, "--name", name, "--memory-limit-mb", "\(memoryMB)",
                "--cpu-limit-seconds", "\(timeouts.cpuLimitSeconds(for: format))",
            ]
            if let limitsJSON { arguments += ["--limits", limitsJSON] }
            if let ocrJSON, format.mayNeedOCR { arguments += ["--ocr", ocrJSON] }
            return arguments
        }
        extractor.fingerprint = fingerprint(of: [
            build(of: executable), Extraction.libraryVersions, limitsJSON ?? "", ocrJSON ?? "", "\(memoryMB) MB",
            "\(extractor.timeout)", "\(extractor.cpuLimitSeconds) s",
        ])
        return extractor
    }

    /// A short hash of `components`, one per line.
    static func fingerprint(of components: [String]) -> String {
        String(ContentHash.sha256Hex(Array(components.joined(separator: "\n").utf8)).prefix(16))
    }

    /// The executable's size and modification time: a new build or installation changes them.
    static func build(of executable: String) -> String {
        var info = stat()
        guard stat(executable, &info) == 0 else { return "\(executable): no build" }
        return "\(info.st_size) bytes, modified \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }

    public var ocrPageLimit: Int? { ocr.settings?.maxPages }

    /// The most wall-clock time one document may take: `timeout`, and for a document that may be
    /// OCR'd the page time limit for each page it may recognise. The child earns the page times one
    /// page at a time, as it begins each (`ExtractorProcess.extensionPerMark`), so a document hung
    /// before any page is stopped at `timeout`, not at this.
    public func timeout(for format: DocumentFormat) -> Duration {
        timeout + pageTime(for: format) * maxPages(for: format)
    }

    /// The time each recognised page adds, and how many pages may add it.
    func pageTime(for format: DocumentFormat) -> Duration {
        guard let settings = ocr.settings, format.mayNeedOCR else { return .zero }
        return .seconds(settings.pageTimeoutSeconds)
    }

    func maxPages(for format: DocumentFormat) -> Int {
        guard let settings = ocr.settings, format.mayNeedOCR else { return 0 }
        return settings.maxPages
    }

    /// The most CPU seconds `sottod extract --cpu-limit-seconds` accepts (a day).
    public static let maxCPULimitSeconds = 86_400

    /// The CPU limit is a backstop behind the wall clock: never the one that fires first, and never more
    /// than the child accepts (`[ocr] page_timeout = 900` with 100 pages asked for 90,090 s, and the child
    /// refused to start for every PDF).
    public func cpuLimitSeconds(for format: DocumentFormat) -> Int {
        min(Self.maxCPULimitSeconds, cpuLimitSeconds + Int((timeout(for: format) - timeout).components.seconds))
    }

    public func extract(
        descriptor: Int32, format: DocumentFormat, fileName: String, ocr mode: OCRMode = .recognize
    ) async -> Result<ExtractedDocument, DocumentExtractionError> {
        if format.isImage, case .off(let reason) = ocr {
            // Not worth a child: nothing but OCR reads an image.
            return .failure(.unreadable(ExtractionFailure(
                .unsupported, "\(fileName) is an image; images are read only by OCR, which is off: \(reason)")))
        }
        // A survey recognises nothing: no page time to earn, no language data to load.
        let isSurvey = mode == .survey && ocr.settings != nil && format.mayNeedOCR
        var process = ExtractorProcess(
            executable: executable, arguments: arguments(format, fileName) + (isSurvey ? ["--ocr-survey"] : []),
            // Nothing of the daemon's environment; Swift's crash backtracer would try to exec a helper,
            // which the filter forbids (and would misreport a crash as SIGSYS). Tesseract's OpenMP
            // runs on one thread: the child is one of the daemon's workers, not the machine's owner.
            environment: ["SWIFT_BACKTRACE=enable=no", "LC_ALL=C.UTF-8", "OMP_THREAD_LIMIT=1"],
            timeout: timeout, maxOutputBytes: maxOutputBytes)
        process.extensionPerMark = isSurvey ? .zero : pageTime(for: format)
        process.maxExtensions = isSurvey ? 0 : maxPages(for: format)
        // A stopping daemon cancels the task that waits here: the child is killed within
        // `ExtractorProcess.cancellationCheck` instead of being waited for.
        let stop = StopRequest()
        process.isCancelled = { stop.isRequested }
        let child = process
        let outcome: Result<ExtractorProcess.Outcome, ExtractorProcess.SpawnError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                Self.queue.async {
                    do throws(ExtractorProcess.SpawnError) {
                        continuation.resume(returning: .success(try child.run(standardInput: descriptor)))
                    } catch {
                        continuation.resume(returning: .failure(error))
                    }
                }
            }
        } onCancel: {
            stop.request()
        }
        switch outcome {
        case .failure(let error):
            return .failure(.extractorFailed(error.message))
        case .success(let outcome):
            return interpret(outcome, format: format)
        }
    }

    func interpret(_ outcome: ExtractorProcess.Outcome, format: DocumentFormat) -> Result<ExtractedDocument, DocumentExtractionError> {
        let ranOutOfMemory = Self.mentionsMemory(outcome.diagnostics)
        let cpuLimitSeconds = cpuLimitSeconds(for: format)
        switch outcome.termination {
        case .cancelled:
            return .failure(.cancelled)
        case .timedOut:
            let allowed = timeout + pageTime(for: format) * outcome.extensions
            return .failure(.timedOut(seconds: Int(allowed.components.seconds)))
        case .outputTooLarge:
            return .failure(.outputTooLarge(limitBytes: maxOutputBytes))
        case .signaled(let signal):
            if signal == SIGSYS { return .failure(.forbiddenSystemCall) }
            if signal == SIGXCPU { return .failure(.cpuTimeExceeded(seconds: cpuLimitSeconds)) }
            // SIGKILL that was not ours: the kernel's OOM killer (or a cgroup's memory limit).
            if ranOutOfMemory || signal == SIGKILL { return .failure(.outOfMemory(limitBytes: memoryLimitBytes)) }
            return .failure(.crashed(signal: ExtractorProcess.signalName(signal)))
        case .exited(let code) where code != 0:
            if ranOutOfMemory { return .failure(.outOfMemory(limitBytes: memoryLimitBytes)) }
            let lastLine = outcome.diagnostics.split(separator: "\n").last.map(String.init) ?? "no message"
            return .failure(.extractorFailed("exit status \(code): \(lastLine)"))
        case .exited:
            guard let reply = try? JSONDecoder().decode(ExtractorReply.self, from: Data(outcome.output)) else {
                return .failure(.extractorFailed("its answer is not a readable result (\(outcome.output.count) bytes)"))
            }
            switch reply {
            case .document(let document): return .success(document)
            case .failure(let failure): return .failure(.unreadable(failure))
            }
        }
    }

    /// What the Swift runtime, glibc, C++ and Python print when an allocation fails under RLIMIT_AS.
    static func mentionsMemory(_ diagnostics: String) -> Bool {
        let text = diagnostics.lowercased()
        return ["could not allocate memory", "cannot allocate memory", "bad_alloc", "out of memory", "memoryerror",
                "failed to allocate"].contains { text.contains($0) }
    }
}

/// A flag a task's cancellation handler sets and the extractor's wait reads from another thread.
private final class StopRequest: Sendable {
    private let requested = Atomic<Bool>(false)

    var isRequested: Bool { requested.load(ordering: .acquiring) }

    func request() { requested.store(true, ordering: .releasing) }
}
