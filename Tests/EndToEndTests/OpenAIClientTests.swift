import API
import Ingest
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The OpenAI-compatible API driven by the official `openai` Python package over the Unix socket
/// (Scripts/clients/openai_client.py), against the real daemon with the real models.
extension EndToEndTests {
    static var decoderFile: (qwen: String, smol: String) {
        (modelsDirectory + "/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", modelsDirectory + "/smollm2-135m-instruct-q4_1.gguf")
    }
    static var hasClientModels: Bool {
        hasEncoder && FileManager.default.fileExists(atPath: decoderFile.qwen) && FileManager.default.fileExists(atPath: decoderFile.smol)
    }

    /// Waits until the decoder `name` is loaded.
    static func waitUntilDecoderReady(_ harness: DaemonHarness, _ name: String, timeout: TimeInterval = 300) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let status = try? harness.client.status(), status.decoder?.models.first(where: { $0.name == name })?.state == "ready" { return }
            usleep(100_000)
        }
        throw HarnessError("the decoder \(name) did not load within \(timeout) s: \(harness.stderrText())")
    }

    @Test(
        .enabled(if: PythonClients.isAvailable, "python3 with venv is not installed (Scripts/install-deps)"),
        .enabled(if: EndToEndTests.hasClientModels, "the encoder, qwen2.5-coder-0.5b and smollm2-135m are not all installed (Scripts/fetch-models)"))
    func theOpenAIClientGetsGroundedAnswersEmbeddingsAndModels() throws {
        let (qwen, smol) = Self.decoderFile
        let harness = try DaemonHarness(config: """
            [index]
            debounce_ms = 100
            [encoder]
            model = "\(Self.modelsDirectory)/all-MiniLM-L6-v2"
            [decoder]
            default = "qwen2.5-coder-0.5b"
            [[decoders]]
            name = "qwen2.5-coder-0.5b"
            file = "\(qwen)"
            [[decoders]]
            name = "smollm2-135m"
            file = "\(smol)"
            """)
        try harness.start()
        let examples = DaemonHarness.packageRoot.appendingPathComponent("examples").path
        #expect(try harness.cli(["sources", "add", examples]).status == 0)
        #expect(try harness.cli(["index"]).status == 0)
        try Self.waitUntilEmbedded(harness)
        try Self.waitUntilDecoderReady(harness, "qwen2.5-coder-0.5b")
        let socket = harness.socketPath

        // Models: the grounded one, both decoders, the encoder.
        let models = try PythonClients.run("openai_client.py", [socket, "models"])
        let listed = (models["models"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(Set(listed) == ["sotto", "qwen2.5-coder-0.5b", "smollm2-135m", "all-MiniLM-L6-v2"], "\(models)")

        // An error in OpenAI's shape becomes the client's typed exception.
        let error = try PythonClients.run("openai_client.py", [socket, "error"])
        #expect(error["raised"] as? String == "NotFoundError", "\(error)")
        #expect(error["status"] as? Int == 404)
        #expect(error["code"] as? String == "unknown_model")
        #expect(error["param"] as? String == "model")

        // Grounded answers: the right fact, with citations in the extra field.
        let question = "When does the lease on the Berlin office end?"
        let whole = try PythonClients.run("openai_client.py", [socket, "chat", "--model", "sotto", "--question", question])
        let answer = whole["content"] as? String ?? ""
        #expect(answer.contains("2027"), "\(whole)")
        #expect(whole["finish_reason"] as? String == "stop")
        let grounding = whole["sotto"] as? [String: Any]
        let citations = grounding?["citations"] as? [[String: Any]] ?? []
        #expect(citations.contains { ($0["path"] as? String)?.hasSuffix("contracts/berlin-office-lease.md") == true }, "\(whole)")
        #expect(((whole["usage"] as? [String: Any])?["completion_tokens"] as? Int ?? 0) > 0)

        let streamed = try PythonClients.run("openai_client.py", [socket, "chat", "--model", "sotto", "--question", question, "--stream"])
        #expect((streamed["content"] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines) == answer, "greedy: the same answer streamed")
        #expect(streamed["roles"] as? [String] == ["assistant"])
        #expect((streamed["pieces"] as? Int ?? 0) > 1, "the answer arrives in pieces")
        #expect(((streamed["sotto"] as? [String: Any])?["citations"] as? [Any])?.isEmpty == false, "\(streamed)")
        #expect(((streamed["usage"] as? [String: Any])?["completion_tokens"] as? Int) == ((whole["usage"] as? [String: Any])?["completion_tokens"] as? Int))

        // Time to the first SSE chunk against /v1/ask's first token on the same question (reported;
        // speed is judged by benchmarks, not here). Streaming means it comes well before the end.
        let timing = try PythonClients.run("openai_client.py", [socket, "first-chunk", "--question", question, "--rounds", "3"])
        let rounds = timing["rounds"] as? [[String: Double]] ?? []
        #expect(rounds.count == 3)
        for round in rounds {
            #expect((round["chat_first_chunk"] ?? .infinity) < (round["chat_total"] ?? 0), "\(round)")
        }
        func median(_ key: String) -> Double {
            let values = rounds.compactMap { $0[key] }.sorted()
            return values.isEmpty ? .nan : values[values.count / 2] * 1000
        }
        print(String(
            format: "first token, /v1/ask NDJSON: %.0f ms; first chunk, /v1/chat/completions SSE: %.0f ms (medians of 3, qwen2.5-coder-0.5b)",
            median("ask_first_token"), median("chat_first_chunk")))

        // Embeddings equal the vectors dense search compares: the dot product of two texts' vectors
        // from /v1/embeddings is the score dense search gives the one stored as a passage (a passage
        // is embedded with its heading path before its text, as the indexer embeds it). The shortest of
        // the hits: /v1/embeddings refuses a text over the window, while the indexer embeds what fits.
        let query = "How long must the dough rest?"
        let hits = try harness.client.search(SearchRequest(query: query, limit: 10, mode: "dense")).hits
        let hit = try #require(hits.min { $0.text.utf8.count < $1.text.utf8.count })
        let passage = PassageContext.text(hit.text, section: hit.section)
        let embedded = try PythonClients.run("openai_client.py", [socket, "embeddings", "--model", "all-MiniLM-L6-v2", query, passage])
        let floats = try #require(embedded["float"] as? [[Double]])
        let decoded = try #require(embedded["base64"] as? [[Double]])
        let byDefault = try #require(embedded["default"] as? [Double])
        #expect(floats.count == 2 && floats.allSatisfy { $0.count == 384 })
        for (a, b) in zip(floats, decoded) { #expect(Self.cosine(a, b) >= 0.99999) }
        #expect(Self.cosine(floats[0], byDefault) >= 0.99999)
        let dot = zip(floats[0], floats[1]).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(dot - hit.score) < 1e-4, "dot \(dot) vs dense score \(hit.score)")
        let tooLong = embedded["too_long"] as? [String: Any]
        #expect(tooLong?["status"] as? Int == 400, "\(embedded["too_long"] ?? "no error")")
        #expect(tooLong?["code"] as? String == "context_length_exceeded")
        #expect(harness.stop() == 0)
    }

    @Test(
        .enabled(if: PythonClients.isAvailable, "python3 with venv is not installed (Scripts/install-deps)"),
        .enabled(if: EndToEndTests.hasClientModels, "smollm2-135m is not installed (Scripts/fetch-models)"))
    func plainChatMatchesSottodGenerateAndStopsWhenTheClientLeaves() throws {
        let smol = Self.decoderFile.smol
        let harness = try DaemonHarness(config: "[index]\ndebounce_ms = 100\n[[decoders]]\nname = \"smollm2-135m\"\nfile = \"\(smol)\"\n")
        try harness.start()
        try Self.waitUntilDecoderReady(harness, "smollm2-135m")
        let socket = harness.socketPath
        let prompt = "Write two sentences about the sea."

        let generated = try DaemonHarness.run(
            DaemonHarness.sottod, ["generate", "--model", smol, "--chat", "--prompt", prompt, "--max-tokens", "48", "--timings"])
        #expect(generated.status == 0, "\(generated.err)")
        var lines = generated.out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last == "" { lines.removeLast() }
        let timings = try #require(
            try JSONSerialization.jsonObject(with: Data((lines.popLast() ?? "").utf8)) as? [String: Any])
        let expected = lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)

        for stream in [false, true] {
            let chat = try PythonClients.run(
                "openai_client.py", [socket, "chat", "--model", "smollm2-135m", "--question", prompt, "--max-tokens", "48"] + (stream ? ["--stream"] : []))
            #expect((chat["content"] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines) == expected, "stream \(stream): \(chat)")
            let usage = chat["usage"] as? [String: Any]
            #expect(usage?["completion_tokens"] as? Int == timings["generated_tokens"] as? Int, "\(chat) vs \(timings)")
            #expect(usage?["prompt_tokens"] as? Int == timings["prompt_tokens"] as? Int, "the same chat template: \(chat) vs \(timings)")
            #expect(chat["sotto"] is NSNull || chat["sotto"] == nil, "no grounding on plain chat")
        }

        // A stop string ends the answer before it.
        let stopped = try PythonClients.run(
            "openai_client.py", [socket, "chat", "--model", "smollm2-135m", "--question", prompt, "--max-tokens", "48", "--stop", " the"])
        let stoppedText = stopped["content"] as? String ?? ""
        #expect(!stoppedText.contains(" the") && expected.hasPrefix(stoppedText.trimmingCharacters(in: .whitespacesAndNewlines)), "\(stopped)")
        #expect(stopped["finish_reason"] as? String == "stop")

        // A client that leaves mid-stream frees the decoder at once; the same answer would take longer.
        let long = "Write a long and detailed essay, at least 2000 words, on the history of sailing ships."
        let left = try PythonClients.run("openai_client.py", [socket, "disconnect", "--model", "smollm2-135m", "--question", long, "--after", "3"])
        #expect(left["received"] as? Int == 3)
        let closed = Date()
        var freedAfter: TimeInterval?
        while Date().timeIntervalSince(closed) < 30 {
            if let queue = try harness.client.status().decoder?.queue, !queue.busy, queue.waiting == 0 {
                freedAfter = Date().timeIntervalSince(closed)
                break
            }
            usleep(20_000)
        }
        let freed = try #require(freedAfter, "the generation went on after the client left")
        let full = try PythonClients.run(
            "openai_client.py", [socket, "chat", "--model", "smollm2-135m", "--question", long, "--max-tokens", "200"])
        #expect(full["finish_reason"] as? String == "length", "the answer is longer than 200 tokens: \(full)")
        let fullSeconds = full["seconds"] as? Double ?? 0
        #expect(freed < fullSeconds, "freed \(freed) s after the client left; 200 tokens take \(fullSeconds) s")
        print(String(format: "decoder free %.3f s after the client left; the 200-token answer took %.2f s", freed, fullSeconds))
        #expect(harness.stop() == 0)
    }

    static func cosine(_ a: [Double], _ b: [Double]) -> Double {
        let dot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
        let norms = (a.reduce(0) { $0 + $1 * $1 } * b.reduce(0) { $0 + $1 * $1 }).squareRoot()
        return norms > 0 ? dot / norms : 0
    }
}
