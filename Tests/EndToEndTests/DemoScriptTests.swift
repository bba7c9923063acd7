import Foundation
import Testing

/// What `Scripts/demo` shows a newcomer: the project's own output, not a dependency's noise.
@Suite struct DemoScriptTests {
    static let root = DaemonHarness.packageRoot

    /// Runs `Scripts/quiet-dependency-warnings` on `input`.
    static func filter(_ input: String) throws -> String {
        let process = Process()
        process.executableURL = root.appendingPathComponent("Scripts/quiet-dependency-warnings")
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func dependencyWarningsAreDroppedAndEverythingElseKept() throws {
        let dependency = """
            warning: 'swift-distributed-tracing': found 1 file(s) which are unhandled; explicitly declare them as resources or exclude from the target
                /src/sotto/.build/checkouts/swift-distributed-tracing/Sources/Instrumentation/CMakeLists.txt

            """
        let ours = """
            warning: 'sotto': found 1 file(s) which are unhandled; explicitly declare them as resources or exclude from the target
                /src/sotto/Sources/API/notes.txt

            """
        let input = "Building for production...\n" + dependency + dependency + "[12/300] Compiling API WireTypes.swift\n"
            + ours + "/src/sotto/Sources/API/A.swift:3:1: error: cannot find 'x' in scope\n" + dependency
            + "Build complete!\n"
        let output = try Self.filter(input)
        #expect(!output.contains("swift-distributed-tracing"), "\(output)")
        #expect(output == "Building for production...\n[12/300] Compiling API WireTypes.swift\n" + ours
            + "/src/sotto/Sources/API/A.swift:3:1: error: cannot find 'x' in scope\nBuild complete!\n")
    }

    /// Every build the demo runs goes through the filter, with its errors (stderr) too.
    @Test func theDemoFiltersEveryBuild() throws {
        let demo = try String(contentsOf: Self.root.appendingPathComponent("Scripts/demo"), encoding: .utf8)
        let builds = demo.split(separator: "\n").filter { $0.hasPrefix("swift build") && !$0.contains("--show-bin-path") }
        #expect(!builds.isEmpty)
        for line in builds {
            #expect(line.hasSuffix("2>&1 | Scripts/quiet-dependency-warnings"), "\(line)")
        }
        #expect(demo.contains("set -euo pipefail"), "a failed build must still stop the demo")
    }
}
