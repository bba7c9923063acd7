import API
import Foundation
import Testing

/// `sotto ask` and `sotto chat` against the real daemon, answered by the built-in stand-in decoder
/// (`builtin:echo`, which quotes its sources) so no model files are needed.
extension EndToEndTests {
    static let echoConfig = "[index]\ndebounce_ms = 100\n[[decoders]]\nname = \"echo\"\nfile = \"builtin:echo\"\n"

    @Test func asksAQuestionAndPrintsTheCitedSources() throws {
        let harness = try DaemonHarness(config: Self.echoConfig)
        let folder = try harness.makeFolder("docs", files: Self.documents)
        try harness.start()
        #expect(try harness.cli(["sources", "add", folder.path]).status == 0)
        #expect(try harness.cli(["index"]).status == 0)

        let asked = try harness.cli(["ask", "When", "does", "the", "lease", "end?", "--sources", "2"])
        #expect(asked.status == 0, "\(asked.err)")
        let lines = asked.out.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("Source [") == true, "the answer comes first: \(asked.out)")
        let lease = folder.path + "/contracts/berlin-lease.md:"
        #expect(lines.contains { $0.hasPrefix("[1] \(lease)") }, "\(asked.out)")
        #expect(lines.contains { $0.hasPrefix("    ") && $0.contains("lease") }, "a short quote under each source")
        #expect(asked.out.contains("first token") && asked.out.contains("tokens/s"))

        let quiet = try harness.cli(["ask", "When does the lease end?", "--quiet"])
        #expect(quiet.status == 0)
        #expect(!quiet.out.contains("tokens/s"))

        let json = try harness.cli(["ask", "When does the lease end?", "--json"])
        #expect(json.status == 0)
        let events = try json.out.split(separator: "\n").map { try WireJSON.makeDecoder().decode(AskEvent.self, from: Data($0.utf8)) }
        guard case .sources? = events.first, case .done(let result)? = events.last else {
            Issue.record("sources first and done last: \(json.out)")
            return
        }
        #expect(!result.citations.isEmpty)

        let whole = try harness.cli(["ask", "When does the lease end?", "--no-stream", "--json"])
        let document = try WireJSON.makeDecoder().decode(AskResult.self, from: Data(whole.out.utf8))
        #expect(document.sources?.isEmpty == false)
        #expect(document.answer == result.answer)

        let abstained = try harness.cli(["ask", "What is the boiling point of mercury on Jupiter?"])
        #expect(abstained.status == 0)
        #expect(abstained.out.contains("do not seem to contain the answer"))
        #expect(abstained.out.contains("closest passages"))
        #expect(harness.stop() == 0)
    }

    @Test func withoutADecoderAskSaysHowToGetOneAndSearchStillWorks() throws {
        let harness = try DaemonHarness(config: "[index]\ndebounce_ms = 100\n[[decoders]]\nname = \"absent\"\nfile = \"/nonexistent/model.gguf\"\n")
        let folder = try harness.makeFolder("docs", files: Self.documents)
        try harness.start()
        #expect(try harness.cli(["sources", "add", folder.path]).status == 0)
        #expect(try harness.cli(["index"]).status == 0)
        let asked = try harness.cli(["ask", "When does the lease end?"])
        #expect(asked.status == 1)
        #expect(asked.err.contains("decoder_unavailable") && asked.err.contains("Scripts/fetch-models decoders"), "\(asked.err)")
        #expect(try harness.cli(["search", "lease"]).status == 0)
        let status = try harness.cli(["status"])
        #expect(status.out.contains("answers    no decoder installed"), "\(status.out)")
        #expect(harness.stop() == 0)
    }

    @Test func chatResolvesFollowUpsAgainstTheEarlierTurns() throws {
        let harness = try DaemonHarness(config: Self.echoConfig)
        let folder = try harness.makeFolder("docs", files: Self.documents)
        try harness.start()
        #expect(try harness.cli(["sources", "add", folder.path]).status == 0)
        #expect(try harness.cli(["index"]).status == 0)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: DaemonHarness.sotto)
        process.arguments = ["chat", "--json", "--socket", harness.socketPath]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data("When does the Berlin lease end?\n\nAnd how much is its rent?\n/quit\n".utf8))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let results = try String(decoding: out, as: UTF8.self).split(separator: "\n").compactMap { line -> AskResult? in
            guard case .done(let result) = try WireJSON.makeDecoder().decode(AskEvent.self, from: Data(line.utf8)) else { return nil }
            return result
        }
        #expect(results.count == 2)
        #expect(results.last?.query == "When does the Berlin lease end? And how much is its rent?")
        #expect(harness.stop() == 0)
    }

    static var smallDecoder: String { modelsDirectory + "/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf" }

    /// Right after sottod starts, its decoder is still loading: `sotto ask` waits for it with a note
    /// (as a person would) instead of failing with decoder_loading, and `--wait 0` does not wait.
    @Test(.enabled(
        if: FileManager.default.fileExists(atPath: EndToEndTests.smallDecoder),
        "qwen2.5-coder-0.5b is not installed (Scripts/fetch-models qwen2.5-coder-0.5b)"))
    func askWaitsForADecoderThatIsStillLoading() throws {
        let config = "[index]\ndebounce_ms = 100\n[[decoders]]\nname = \"small\"\nfile = \"\(Self.smallDecoder)\"\n"
        let harness = try DaemonHarness(config: config)
        let folder = try harness.makeFolder("docs", files: Self.documents)
        try harness.start()
        #expect(try harness.client.status().decoder?.models.first?.state == "loading", "asked before the decoder is ready")
        _ = try harness.client.addSource(SourceRequest(path: folder.path))
        let impatient = try harness.cli(["ask", "When does the Berlin lease end?", "--wait", "0", "--max-tokens", "4"])
        #expect(impatient.status == 1)
        #expect(impatient.err.contains("decoder_loading"), "\(impatient.err)")

        let asked = try harness.cli(["ask", "When does the Berlin lease end?", "--max-tokens", "8", "--quiet"])
        #expect(asked.status == 0, "\(asked.err)")
        #expect(asked.err.contains("the decoder small is loading; waiting up to 120 s for it (--wait)"), "\(asked.err)")
        #expect(!asked.err.contains("try again"), "\(asked.err)")
        #expect(asked.out.contains("berlin-lease.md:"), "the answer and its sources: \(asked.out)")
        #expect(try harness.client.status().decoder?.models.first?.state == "ready")
        #expect(harness.stop() == 0)
    }
}
