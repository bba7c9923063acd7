import Dispatch
public import Extract
import Foundation
public import Ingest
import Sandbox

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

    /// Children run on their own threads: each blocks in poll/waitpid for up to `timeout`.
    private static let queue = DispatchQueue(label: "sotto.extract", qos: .utility, attributes: .concurrent)

    public init(
        executable: String, arguments: @escaping @Sendable (DocumentFormat, String) -> [String],
        timeout: Duration = .seconds(60), memoryLimitBytes: Int = 1 << 30, cpuLimitSeconds: Int = 90,
        maxOutputBytes: Int = 256 << 20
    ) {
        self.executable = executable
        self.arguments = arguments
        self.timeout = timeout
        self.memoryLimitBytes = memoryLimitBytes
        self.cpuLimitSeconds = cpuLimitSeconds
        self.maxOutputBytes = maxOutputBytes
    }

    /// `sottod extract` of this very binary (`/proc/self/exe`), with the limits given.
    public static func sottod(
        executable: String = "/proc/self/exe", timeout: Duration = .seconds(60), memoryLimitBytes: Int = 1 << 30,
        limits: ExtractionLimits = ExtractionLimits()
    ) -> SandboxedExtractor {
        // The CPU limit is a backstop behind the wall clock: never the one that fires first.
        let timeoutSeconds = Int(timeout.components.seconds)
        let cpuSeconds = timeoutSeconds + 30
        let limitsJSON = (try? JSONEncoder().encode(limits)).map { String(decoding: $0, as: UTF8.self) }
        let memoryMB = max(16, memoryLimitBytes >> 20)
        return SandboxedExtractor(
            executable: executable,
            arguments: { format, name in
                var arguments = [
                    "extract", "--format", format.rawValue, "--name", name, "--memory-limit-mb", "\(memoryMB)",
                    "--cpu-limit-seconds", "\(cpuSeconds)",
                ]
                if let limitsJSON { arguments += ["--limits", limitsJSON] }
                return arguments
            },
            timeout: timeout, memoryLimitBytes: memoryMB << 20, cpuLimitSeconds: cpuSeconds,
            maxOutputBytes: limits.maxTextBytes * 4 + (1 << 20))
    }

    public func extract(
        descriptor: Int32, format: DocumentFormat, fileName: String
    ) async -> Result<ExtractedDocument, DocumentExtractionError> {
        let process = ExtractorProcess(
            executable: executable, arguments: arguments(format, fileName),
            // Nothing of the daemon's environment; Swift's crash backtracer would try to exec a helper,
            // which the filter forbids (and would misreport a crash as SIGSYS).
            environment: ["SWIFT_BACKTRACE=enable=no", "LC_ALL=C.UTF-8"],
            timeout: timeout, maxOutputBytes: maxOutputBytes)
        let outcome: Result<ExtractorProcess.Outcome, ExtractorProcess.SpawnError> = await withCheckedContinuation { continuation in
            Self.queue.async {
                do throws(ExtractorProcess.SpawnError) {
                    continuation.resume(returning: .success(try process.run(standardInput: descriptor)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        switch outcome {
        case .failure(let error): return .failure(.extractorFailed(error.message))
        case .success(let outcome): return interpret(outcome)
        }
    }

    func interpret(_ outcome: ExtractorProcess.Outcome) -> Result<ExtractedDocument, DocumentExtractionError> {
        let ranOutOfMemory = Self.mentionsMemory(outcome.diagnostics)
        switch outcome.termination {
        case .timedOut:
            return .failure(.timedOut(seconds: Int(timeout.components.seconds)))
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
