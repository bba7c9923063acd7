import Extract
import Foundation
import Glibc
import Ingest
import Testing
@testable import Daemon

/// The runner against children that misbehave the way a parser does on a hostile document: crash,
/// hang, eat memory, flood the pipe. Each costs one document, with a reason a person can read.
@Suite struct SandboxedExtractorTests {
    /// A runner whose "extractor" is a shell script.
    func shell(_ script: String, timeout: Duration = .seconds(20), maxOutputBytes: Int = 1 << 20) -> SandboxedExtractor {
        SandboxedExtractor(
            executable: "/bin/sh", arguments: { _, _ in ["-c", script] }, timeout: timeout,
            memoryLimitBytes: 100 << 20, cpuLimitSeconds: 30, maxOutputBytes: maxOutputBytes)
    }

    /// Runs `extractor` with a temporary file holding `content` on its standard input.
    func extract(_ extractor: SandboxedExtractor, content: String = "hello") async throws -> Result<ExtractedDocument, DocumentExtractionError> {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("runner-\(UUID().uuidString).html")
        try content.write(to: url, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        return await extractor.extract(descriptor: descriptor, format: .html, fileName: url.lastPathComponent)
    }

    @Test func aReplyOnStandardOutputIsTheDocument() async throws {
        // The "extractor" echoes its standard input (the file) as the document's text.
        let script = #"printf '{"document":{"_0":{"format":"html","extractor":"sh","text":"%s","parts":[],"problems":[]}}}' "$(cat)""#
        let result = try await extract(shell(script), content: "the lease ends in March")
        #expect(try result.get().text == "the lease ends in March")
        #expect(try result.get().extractor == "sh")
    }

    @Test func aFailureReplyIsTheExtractorsReason() async throws {
        let script = #"printf '{"failure":{"_0":{"code":"encrypted","message":"the PDF needs a password"}}}'"#
        let result = try await extract(shell(script))
        #expect(result == .failure(.unreadable(ExtractionFailure(.encrypted, "the PDF needs a password"))))
    }

    @Test func aCrashIsReportedWithItsSignal() async throws {
        let result = try await extract(shell("kill -SEGV $$"))
        #expect(result == .failure(.crashed(signal: "SIGSEGV")))
        guard case .failure(let error) = result else { return }
        #expect(error.message == "extractor crashed (SIGSEGV)")
        #expect(error.killedExtractor)
    }

    @Test func aHangIsKilledAtTheTimeout() async throws {
        let started = ContinuousClock.now
        let result = try await extract(shell("exec sleep 60", timeout: .seconds(1)))
        let elapsed = ContinuousClock.now - started
        #expect(result == .failure(.timedOut(seconds: 1)))
        // Killed, not waited for: well before the 60 s the child would sleep, with room for a loaded
        // 2-core machine running every suite at once (19 s was seen there against an earlier 15 s bound).
        #expect(elapsed < .seconds(45), "took \(elapsed)")
        guard case .failure(let error) = result else { return }
        #expect(error.message == "timed out after 1 s")
    }

    /// A stopping daemon cancels the task waiting for a child (a scan's OCR may have minutes left):
    /// the child is killed, not waited for, and the document is not given a failure of its own.
    @Test(arguments: ["exec sleep 60", "exec >&- 2>&-; sleep 60"])
    func cancellingTheWaitKillsTheChild(script: String) async throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("runner-\(UUID().uuidString).pid")
        defer { try? FileManager.default.removeItem(at: pidFile) }
        let recording = shell("echo $$ > '\(pidFile.path)'; " + script, timeout: .seconds(300))
        let started = ContinuousClock.now
        let waiting = Task { try await extract(recording) }
        // Cancelled once the child has started (it wrote its pid), as the service group cancels the indexer.
        var pid: pid_t?
        while pid == nil, ContinuousClock.now - started < .seconds(60) {
            try await Task.sleep(for: .milliseconds(50))
            pid = (try? String(contentsOf: pidFile, encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        let child = try #require(pid, "the child never started")
        waiting.cancel()
        let result = try await waiting.value
        let elapsed = ContinuousClock.now - started
        #expect(result == .failure(.cancelled))
        #expect(elapsed < .seconds(45), "took \(elapsed) of the child's 60 s")
        // Reaped: no process of that pid is left, not even a zombie.
        #expect(kill(child, 0) != 0 && errno == ESRCH)
        guard case .failure(let error) = result else { return }
        #expect(!error.killedExtractor, "not held against the document")
    }

    @Test func aChildThatClosesItsPipesAndLingersIsKilledAtTheTimeout() async throws {
        let result = try await extract(shell("exec >&- 2>&-; sleep 60", timeout: .seconds(1)))
        #expect(result == .failure(.timedOut(seconds: 1)))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs python3 as a memory hog"))
    func runningOutOfMemoryIsReportedAsSuch() async throws {
        // A real allocation past a real address-space limit (ulimit -v, as the extractor's RLIMIT_AS).
        let result = try await extract(shell("ulimit -v 200000; exec /usr/bin/python3 -c 'b = bytearray(1 << 30)'"))
        #expect(result == .failure(.outOfMemory(limitBytes: 100 << 20)))
        guard case .failure(let error) = result else { return }
        #expect(error.message == "ran out of memory (limit 100 MB)")
    }

    @Test func tooMuchOutputIsCutOff() async throws {
        let result = try await extract(shell("exec yes", maxOutputBytes: 100_000))
        #expect(result == .failure(.outputTooLarge(limitBytes: 100_000)))
    }

    @Test func aForbiddenSystemCallIsNamed() async throws {
        let result = try await extract(shell("kill -SYS $$"))
        #expect(result == .failure(.forbiddenSystemCall))
    }

    @Test func garbageOnStandardOutputIsAFailureNotACrashOfTheDaemon() async throws {
        let result = try await extract(shell("echo not json"))
        guard case .failure(.extractorFailed(let reason)) = result else {
            Issue.record("expected extractorFailed, got \(result)")
            return
        }
        #expect(reason.contains("not a readable result"))
    }

    @Test func aMissingExecutableIsAFailure() async throws {
        let runner = SandboxedExtractor(executable: "/nonexistent/sottod", arguments: { _, _ in [] })
        let result = try await extract(runner)
        guard case .failure(.extractorFailed(let reason)) = result else {
            Issue.record("expected extractorFailed, got \(result)")
            return
        }
        #expect(reason.contains("cannot start"))
    }

    @Test func messagesSayWhatHappened() {
        #expect(DocumentExtractionError.outOfMemory(limitBytes: 1 << 30).message == "ran out of memory (limit 1 GB)")
        #expect(DocumentExtractionError.cpuTimeExceeded(seconds: 90).message == "used more than 90 s of CPU time")
        #expect(!DocumentExtractionError.unreadable(ExtractionFailure(.corrupt, "x")).killedExtractor)
    }
}
