import API
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The findings of a probe of the daemon with broken and hostile model files (issue 21), against the
/// real binaries.
extension EndToEndTests {
    static let tinyBert = DaemonHarness.packageRoot.appendingPathComponent("Tests/InferenceTests/Fixtures/tiny-bert")

    /// A copy of the tiny BERT fixture in `harness`'s folder, changed by `patch`.
    static func brokenEncoder(in harness: DaemonHarness, name: String, patch: (URL) throws -> Void) throws -> URL {
        let copy = harness.directory.appendingPathComponent(name)
        try FileManager.default.copyItem(at: tinyBert, to: copy)
        try patch(copy)
        return copy
    }

    /// Writes a NaN over the first value of the safetensors tensor `tensor`.
    static func poison(_ file: URL, tensor: String) throws {
        var bytes = [UInt8](try Data(contentsOf: file))
        let headerLength = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try #require(
            try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)])) as? [String: Any])
        let info = try #require(header[tensor] as? [String: Any])
        let offsets = try #require(info["data_offsets"] as? [Int])
        let at = 8 + headerLength + offsets[0]
        withUnsafeBytes(of: Float.nan.bitPattern.littleEndian) { nan in
            for i in 0..<4 { bytes[at + i] = nan[i] }
        }
        try Data(bytes).write(to: file)
    }

    /// Finding 7: an encoder that loads but embeds NaN (a NaN weight, a negative LayerNorm epsilon) is
    /// refused at start: search falls back to words with the reason in the status, and nothing answers 500.
    @Test func aBrokenEncoderFallsBackToWordsWithItsReason() throws {
        let probe = try DaemonHarness()
        let broken: [(String, (URL) throws -> Void, String)] = [
            ("nan-weight", { try Self.poison($0.appendingPathComponent("model.safetensors"), tensor: "bert.embeddings.LayerNorm.weight") },
             "NaN"),
            ("negative-eps", { folder in
                let url = folder.appendingPathComponent("config.json")
                let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "1e-12", with: "-1")
                try text.write(to: url, atomically: true, encoding: .utf8)
            }, "layer_norm_eps"),
        ]
        for (name, patch, reason) in broken {
            let model = try Self.brokenEncoder(in: probe, name: name, patch: patch)
            let harness = try DaemonHarness(config: "allow_unlisted_models = true\n" + Self.echoConfig + "\n[encoder]\nmodel = \"\(model.path)\"\n")
            let folder = try harness.makeFolder("docs", files: Self.documents)
            try harness.start()
            _ = try harness.client.addSource(SourceRequest(path: folder.path))
            try harness.waitUntilIdle()
            let status = try harness.client.status()
            #expect(status.denseSearch.available == false, "\(name)")
            #expect(status.denseSearch.reason?.contains(reason) == true, "\(name): \(status.denseSearch.reason ?? "no reason")")
            let hybrid = try harness.client.raw("POST", "/search", body: Data(#"{"query": "lease rent"}"#.utf8))
            #expect(hybrid.status == 200, "\(name): \(String(decoding: hybrid.body, as: UTF8.self))")
            let dense = try harness.client.raw("POST", "/search", body: Data(#"{"query": "lease rent", "mode": "dense"}"#.utf8))
            #expect(dense.status == 400)
            let whole = try harness.client.raw("POST", "/ask", body: Data(#"{"question": "When does the lease end?", "stream": false}"#.utf8))
            #expect(whole.status == 200, "\(name): \(String(decoding: whole.body, as: UTF8.self))")
            let streamed = try harness.client.raw("POST", "/ask", body: Data(#"{"question": "When does the lease end?"}"#.utf8))
            let last = String(decoding: streamed.body, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
            #expect(last.contains(#""event":"done""#) || last.contains(#""event":"error""#), "\(name): the stream ended with \(last)")
            #expect(harness.stop() == 0)
        }
        // The fixture itself passes the same check: the test is about the damage, not the model.
        let harness = try DaemonHarness(config: "allow_unlisted_models = true\n[index]\ndebounce_ms = 100\n[encoder]\nmodel = \"\(Self.tinyBert.path)\"\n")
        try harness.start()
        #expect(try harness.client.status().embedding != nil, "the intact fixture loads")
        #expect(harness.stop() == 0)
    }

    /// Finding 9: a model path that is a FIFO is refused at once (checked on the open descriptor),
    /// not waited on forever, by `sottod generate` and by the daemon's decoder and encoder loading.
    @Test func aFIFOInPlaceOfAModelIsRefusedNotWaitedOn() throws {
        let harness = try DaemonHarness()
        let fifo = harness.directory.appendingPathComponent("model.gguf").path
        #expect(mkfifo(fifo, 0o600) == 0)

        let started = Date()
        let generate = Process()
        generate.executableURL = URL(fileURLWithPath: DaemonHarness.sottod)
        generate.arguments = ["generate", "--model", fifo, "--prompt", "hi"]
        let errors = Pipe()
        generate.standardError = errors
        generate.standardOutput = FileHandle.nullDevice
        try generate.run()
        let deadline = Date().addingTimeInterval(20)
        while generate.isRunning && Date() < deadline { usleep(50_000) }
        if generate.isRunning { kill(generate.processIdentifier, SIGKILL) }
        generate.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(Date().timeIntervalSince(started) < 20, "sottod generate waited on the FIFO")
        #expect(generate.terminationStatus != 0)
        #expect(message.contains("not a regular file"), "\(message)")

        // The daemon: a FIFO decoder fails to load with the reason; a FIFO encoder file is refused at start.
        let encoder = try Self.brokenEncoder(in: harness, name: "fifo-encoder") { folder in
            let file = folder.appendingPathComponent("model.safetensors").path
            try FileManager.default.removeItem(atPath: file)
            #expect(mkfifo(file, 0o600) == 0)
        }
        // The models are not in a manifest: the checks under test come after the sha256 one would.
        let daemon = try DaemonHarness(config: """
            allow_unlisted_models = true
            [index]
            debounce_ms = 100
            [[decoders]]
            name = "fifo"
            file = "\(fifo)"
            [encoder]
            model = "\(encoder.path)"
            """)
        try daemon.start()
        let status = try daemon.client.status()
        #expect(status.denseSearch.reason?.contains("not a regular file") == true, "\(status.denseSearch.reason ?? "")")
        var decoderMessage = ""
        let loadDeadline = Date().addingTimeInterval(20)
        while Date() < loadDeadline {
            let model = try daemon.client.status().decoder?.models.first { $0.name == "fifo" }
            if model?.state == "failed" {
                decoderMessage = model?.message ?? ""
                break
            }
            usleep(100_000)
        }
        #expect(decoderMessage.contains("not a regular file"), "the FIFO decoder: \(decoderMessage)")
        #expect(daemon.stop() == 0)
    }
}
