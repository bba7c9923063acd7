import API
import Foundation
import Testing
import TestSupport

/// Search by meaning through the real daemon, with the real encoder (when Scripts/fetch-models has
/// installed it; CI does).
extension EndToEndTests {
    static var modelsDirectory: String { TestModels.directory.path }
    static var hasEncoder: Bool { TestModels.isInstalled(TestModels.encoder) }
    static var noEncoder: Comment { Comment(rawValue: TestModels.missing(TestModels.encoder)) }

    /// Waits until every chunk has a vector of the configured model and dense search is on.
    @discardableResult
    static func waitUntilEmbedded(_ harness: DaemonHarness, model: String? = nil, timeout: TimeInterval = 180) throws -> StatusResponse {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let status = try? harness.client.status(), let embedding = status.embedding,
                model == nil || embedding.model == model, embedding.active, embedding.embedded == status.counts.chunks,
                status.counts.chunks > 0, status.denseSearch.available, status.indexing.state == .idle
            {
                return status
            }
            usleep(100_000)
        }
        throw HarnessError("embedding did not finish within \(timeout) s: \(harness.stderrText())")
    }

    @Test(.enabled(if: EndToEndTests.hasEncoder, EndToEndTests.noEncoder))
    func denseAndHybridSearchFindPassagesByMeaning() throws {
        let models = Self.modelsDirectory
        let harness = try DaemonHarness(config: "[index]\ndebounce_ms = 100\n[encoder]\nmodel = \"\(models)/all-MiniLM-L6-v2\"\n")
        let folder = try harness.makeFolder("docs", files: [
            "garage.md": "# Garage\n\nThe automobile's engine makes a grinding noise and will not start in the morning.\n",
            "kitchen.md": "# Kitchen\n\nKnead the dough for ten minutes, then let the loaf rise overnight.\n",
            "office.md": "# Office\n\nThe tenant must give six months' notice before the lease ends.\n",
        ])
        try harness.start()
        _ = try harness.client.addSource(SourceRequest(path: folder.path))
        let status = try Self.waitUntilEmbedded(harness)
        #expect(status.embedding?.model == "all-MiniLM-L6-v2")
        #expect(status.embedding?.dimension == 384)
        #expect(status.denseSearch.vectors == status.counts.chunks)

        // No word in common with the garage note: BM25 finds nothing, dense search finds it.
        let query = "my car motor is broken"
        #expect(try harness.client.search(SearchRequest(query: query, mode: "bm25")).hits.isEmpty)
        let dense = try harness.client.search(SearchRequest(query: query, limit: 3, mode: "dense"))
        #expect(dense.mode == .dense)
        #expect(dense.hits.first?.path == folder.path + "/garage.md")
        let hybrid = try harness.client.search(SearchRequest(query: "bread rising", limit: 3))
        #expect(hybrid.mode == .hybrid, "hybrid is the default once vectors are ready")
        #expect(hybrid.hits.first?.path == folder.path + "/kitchen.md")

        // A new file is embedded and found by meaning without a restart.
        try "# Garden\n\nWater the tomato plants every evening during the summer heat.\n"
            .write(toFile: folder.path + "/garden.md", atomically: false, encoding: .utf8)
        let deadline = Date().addingTimeInterval(30)
        var found = false
        while Date() < deadline && !found {
            found = (try? harness.client.search(SearchRequest(query: "vegetable gardening", limit: 1, mode: "dense")).hits.first?.path)
                == folder.path + "/garden.md"
            if !found { usleep(100_000) }
        }
        #expect(found)
        #expect(harness.stop() == 0)
    }

    /// Removing a source drops its chunks' vectors from memory too: `sotto status` agrees with the
    /// store the moment `sotto sources remove` returns, and a restart finds the same count.
    @Test(.enabled(if: EndToEndTests.hasEncoder, EndToEndTests.noEncoder))
    func removingASourceDropsItsVectorsFromMemory() throws {
        let models = Self.modelsDirectory
        let harness = try DaemonHarness(config: "[index]\ndebounce_ms = 100\n[encoder]\nmodel = \"\(models)/all-MiniLM-L6-v2\"\n")
        let kept = try harness.makeFolder("kept", files: [
            "garage.md": "# Garage\n\nThe automobile's engine makes a grinding noise and will not start in the morning.\n",
        ])
        let removed = try harness.makeFolder("removed", files: [
            "kitchen.md": "# Kitchen\n\nKnead the dough for ten minutes, then let the loaf rise overnight.\n",
            "office.md": "# Office\n\nThe tenant must give six months' notice before the lease ends.\n\n## Deposit\n\nThree months' rent.\n",
            "garden.md": "# Garden\n\nWater the tomato plants every evening during the summer heat.\n",
        ])
        try harness.start()
        _ = try harness.client.addSource(SourceRequest(path: kept.path))
        _ = try harness.client.addSource(SourceRequest(path: removed.path))
        let before = try Self.waitUntilEmbedded(harness)
        #expect(before.denseSearch.vectors == before.counts.chunks)

        let remove = try harness.cli(["sources", "remove", removed.path])
        #expect(remove.status == 0, "\(remove.err)")
        let after = try harness.client.status()
        #expect(after.counts.chunks < before.counts.chunks)
        #expect(after.denseSearch.vectors == after.counts.chunks, "vectors in memory \(after.denseSearch.vectors), chunks \(after.counts.chunks)")
        let printed = try harness.cli(["status"])
        #expect(printed.out.contains("\(after.counts.chunks) vectors in memory"), "\(printed.out)")
        let dense = try harness.client.search(SearchRequest(query: "bread rising", limit: 5, mode: "dense"))
        #expect(dense.hits.allSatisfy { $0.path.hasPrefix(kept.path + "/") }, "\(dense.hits.map(\.path))")

        #expect(harness.stop() == 0)
        try harness.start()
        let restarted = try Self.waitUntilEmbedded(harness)
        #expect(restarted.denseSearch.vectors == after.denseSearch.vectors)
        #expect(harness.stop() == 0)
    }

    @Test(.enabled(if: EndToEndTests.hasEncoder, EndToEndTests.noEncoder))
    func changingTheEncoderReembedsAndSwitchesWhenComplete() throws {
        let models = Self.modelsDirectory
        // A second "model": the same files under another name, so another fingerprint.
        let harness = try DaemonHarness(config: "[encoder]\nmodel = \"\(models)/all-MiniLM-L6-v2\"\n")
        let copy = harness.directory.appendingPathComponent("models/minilm-copy")
        try FileManager.default.createDirectory(at: copy.appendingPathComponent("1_Pooling"), withIntermediateDirectories: true)
        for file in ["config.json", "model.safetensors", "tokenizer.json", "vocab.txt", "sentence_bert_config.json", "1_Pooling/config.json",
            "modules.json", "special_tokens_map.json", "tokenizer_config.json"]
        where FileManager.default.fileExists(atPath: "\(models)/all-MiniLM-L6-v2/\(file)") {
            try FileManager.default.createSymbolicLink(atPath: copy.appendingPathComponent(file).path, withDestinationPath: "\(models)/all-MiniLM-L6-v2/\(file)")
        }
        let folder = try harness.makeFolder("docs", files: [
            "a.md": "# A\n\nThe automobile's engine will not start.\n", "b.md": "# B\n\nKnead the dough and bake bread.\n",
        ])
        try harness.start()
        _ = try harness.client.addSource(SourceRequest(path: folder.path))
        let first = try Self.waitUntilEmbedded(harness, model: "all-MiniLM-L6-v2")
        #expect(harness.stop() == 0)

        try "allow_unlisted_models = true\n[encoder]\nmodel = \"\(copy.path)\"\n".write(toFile: harness.configPath, atomically: true, encoding: .utf8)
        try harness.start()
        // Search keeps serving by meaning throughout: with the previous model's vectors until the new
        // set is complete (its encoder is still there), then with the new one.
        let loaded = Date().addingTimeInterval(30)
        while Date() < loaded, (try? harness.client.status().denseSearch.available) != true { usleep(50_000) }
        let during = try harness.client.search(SearchRequest(query: "car trouble", limit: 1, mode: "dense"))
        #expect(during.hits.first?.path == folder.path + "/a.md")
        let second = try Self.waitUntilEmbedded(harness, model: "minilm-copy")
        #expect(second.embedding?.fingerprint != first.embedding?.fingerprint)
        #expect(second.embedding?.active == true)
        #expect(try harness.client.search(SearchRequest(query: "car trouble", limit: 1, mode: "dense")).hits.first?.path == folder.path + "/a.md")
        #expect(harness.stop() == 0)
    }
}
