import Foundation
import Glibc
import Testing
import Sandbox

@Suite struct ExtractorProcessTests {
    @Test func theChildSeesOnlyItsThreeDescriptorsAndAnEmptyEnvironment() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("runner-\(UUID().uuidString)")
        try "x".write(to: url, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let descriptor = open(url.path, O_RDONLY)  // not CLOEXEC: closed in the child all the same
        defer { close(descriptor) }
        let leaked = open("/dev/null", O_RDONLY)  // an unrelated open descriptor of the "daemon"
        defer { close(leaked) }
        let process = ExtractorProcess(
            executable: "/bin/sh", arguments: ["-c", "ls /proc/self/fd; echo; env"],
            environment: ["ONLY=this"], timeout: .seconds(20), maxOutputBytes: 1 << 20)
        let outcome = try process.run(standardInput: descriptor)
        #expect(outcome.termination == .exited(0))
        let sections = String(decoding: outcome.output, as: UTF8.self).components(separatedBy: "\n\n")
        // 0, 1, 2 and the descriptor ls itself opens to read /proc/self/fd.
        let descriptors = sections.first?.split(separator: "\n").map(String.init) ?? []
        #expect(descriptors == ["0", "1", "2", "3"])
        // sh adds its own PWD (and dash nothing else): nothing of the parent's environment.
        let environment = (sections.last ?? "").split(separator: "\n").map(String.init).filter { !$0.hasPrefix("PWD=") }
        #expect(environment == ["ONLY=this"])
    }

    /// A shell child with standard input from /dev/null.
    private func run(_ script: String, timeout: Duration, extension: Duration, maxExtensions: Int) throws -> ExtractorProcess.Outcome {
        var process = ExtractorProcess(
            executable: "/bin/sh", arguments: ["-c", script], environment: [], timeout: timeout, maxOutputBytes: 1 << 20)
        process.extensionPerMark = `extension`
        process.maxExtensions = maxExtensions
        let input = open("/dev/null", O_RDONLY)
        defer { close(input) }
        return try process.run(standardInput: input)
    }

    @Test func eachPageBegunEarnsTheChildMoreTime() throws {
        // 2 s alone would stop the 5 s of work; the page begun first earns 15 s more.
        let outcome = try run(
            "printf '\\036' >&2; sleep 5; echo done; echo note >&2", timeout: .seconds(2), extension: .seconds(15), maxExtensions: 3)
        #expect(outcome.termination == .exited(0))
        #expect(String(decoding: outcome.output, as: UTF8.self) == "done\n")
        #expect(outcome.extensions == 1)
        #expect(outcome.diagnostics == "note\n", "the mark is not part of the diagnostics")
    }

    @Test func aChildHungBeforeAnyPageMeetsTheFirstDeadline() throws {
        let started = ContinuousClock.now
        let outcome = try run("sleep 60", timeout: .seconds(1), extension: .seconds(600), maxExtensions: 100)
        #expect(outcome.termination == .timedOut)
        #expect(outcome.extensions == 0)
        #expect(ContinuousClock.now - started < .seconds(45))
    }

    @Test func marksBeyondThePageLimitEarnNothing() throws {
        let started = ContinuousClock.now
        let outcome = try run(
            "printf '\\036\\036\\036\\036' >&2; sleep 60", timeout: .seconds(1), extension: .seconds(2), maxExtensions: 2)
        #expect(outcome.termination == .timedOut)
        #expect(outcome.extensions == 2)
        #expect(ContinuousClock.now - started < .seconds(45))
    }
}
