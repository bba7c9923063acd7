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
}
