import API
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Forgetting erases: a unique marker word, indexed and then forgotten (by `sotto forget`, by
/// `sotto sources remove`, by deleting the file, by editing it away), leaves no byte of itself in the
/// database, its WAL or its shared-memory file.
@Suite(.serialized) struct ForgetTests {
    /// Letters and digits the porter stemmer leaves as they are (it ends in x), unlike any other word.
    static func makeMarker() -> String {
        "qq" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(14) + "x"
    }

    /// Occurrences of the marker, and of its tail (FTS5 stores a term's bytes after the prefix it
    /// shares with the term before it), in the database, `-wal` and `-shm` files.
    static func occurrences(of marker: String, in database: String) -> Int {
        let needles = [Data(marker.utf8), Data(marker.dropFirst(3).utf8), Data(marker.uppercased().utf8)]
        var count = 0
        for file in [database, database + "-wal", database + "-shm"] {
            guard let bytes = FileManager.default.contents(atPath: file) else { continue }
            for needle in needles {
                var start = bytes.startIndex
                while let range = bytes.range(of: needle, in: start..<bytes.endIndex) {
                    count += 1
                    start = range.upperBound
                }
            }
        }
        return count
    }

    func indexed(marker: String) throws -> (DaemonHarness, URL) {
        let harness = try DaemonHarness()
        var files: [String: String] = [:]
        for index in 0..<30 { files["other/\(index).md"] = "Ordinary notes number \(index) about gardens, bread and trains.\n" }
        files["secret/plan.md"] = "# Plan\n\nThe code word is \(marker). Say \(marker) twice: \(marker).\n"
        let root = try harness.makeFolder("docs", files: files)
        try harness.start()
        #expect(try harness.cli(["sources", "add", root.path]).status == 0)
        try harness.waitUntilIdle()
        let found = try harness.client.search(SearchRequest(query: marker, limit: 5, mode: "bm25"))
        #expect(found.hits.count == 1, "the control: the marker is indexed")
        #expect(Self.occurrences(of: marker, in: harness.databasePath) > 0, "the control: the marker is in the files")
        return (harness, root)
    }

    @Test func forgetErasesEveryByte() throws {
        let marker = Self.makeMarker()
        let (harness, root) = try indexed(marker: marker)
        let result = try harness.cli(["forget", root.path + "/secret/plan.md"])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("1 documents erased"), "\(result.out)")
        #expect(Self.occurrences(of: marker, in: harness.databasePath) == 0)
        // The file is still on disk: a rescan must not bring it back.
        _ = try harness.cli(["index"])
        try harness.waitUntilIdle(passes: 2)
        #expect(try harness.client.search(SearchRequest(query: marker, limit: 5, mode: "bm25")).hits.isEmpty)
        #expect(try harness.client.search(SearchRequest(query: "gardens", limit: 50, mode: "bm25")).hits.count == 30, "the rest stays")
        #expect(Self.occurrences(of: marker, in: harness.databasePath) == 0)
    }

    @Test func removingTheSourceErasesEveryByte() throws {
        let marker = Self.makeMarker()
        let (harness, root) = try indexed(marker: marker)
        #expect(try harness.cli(["sources", "remove", root.path]).status == 0)
        #expect(Self.occurrences(of: marker, in: harness.databasePath) == 0)
    }

    @Test func deletingTheFileErasesEveryByteWithinSeconds() throws {
        let marker = Self.makeMarker()
        let (harness, root) = try indexed(marker: marker)
        try FileManager.default.removeItem(at: root.appendingPathComponent("secret/plan.md"))
        let deadline = Date().addingTimeInterval(30)
        while Self.occurrences(of: marker, in: harness.databasePath) > 0, Date() < deadline { usleep(200_000) }
        #expect(Self.occurrences(of: marker, in: harness.databasePath) == 0)
        #expect(try harness.client.search(SearchRequest(query: marker, limit: 5, mode: "bm25")).hits.isEmpty)
    }

    /// An edit replaces the file's passages: the old ones go from the full-text index's segments too,
    /// not only from search, within seconds and without a `forget`.
    @Test func editingTheFileErasesItsOldTextWithinSeconds() throws {
        let marker = Self.makeMarker()
        let (harness, root) = try indexed(marker: marker)
        try "# Plan\n\nThe code word changed to periwinkle.\n".write(
            to: root.appendingPathComponent("secret/plan.md"), atomically: false, encoding: .utf8)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline,
            try harness.client.search(SearchRequest(query: "periwinkle", limit: 5, mode: "bm25")).hits.isEmpty
                || Self.occurrences(of: marker, in: harness.databasePath) > 0
        {
            usleep(200_000)
        }
        #expect(try harness.client.search(SearchRequest(query: "periwinkle", limit: 5, mode: "bm25")).hits.count == 1, "the control: the edit is indexed")
        #expect(try harness.client.search(SearchRequest(query: marker, limit: 5, mode: "bm25")).hits.isEmpty)
        #expect(Self.occurrences(of: marker, in: harness.databasePath) == 0)
    }

    @Test(.enabled(if: EndToEndTests.hasEncoder, "all-MiniLM-L6-v2 is not installed (Scripts/fetch-models)"))
    func forgetDropsTheVectorsFromMemoryBeforeItAnswers() throws {
        let models = EndToEndTests.modelsDirectory
        let harness = try DaemonHarness(config: "[index]\ndebounce_ms = 100\n[encoder]\nmodel = \"\(models)/all-MiniLM-L6-v2\"\n")
        let root = try harness.makeFolder("docs", files: [
            "keep.md": "Bread needs flour, water and time.\n", "drop.md": "The tenant pays the rent monthly.\n",
        ])
        try harness.start()
        #expect(try harness.cli(["sources", "add", root.path]).status == 0)
        try harness.waitUntilIdle()
        let deadline = Date().addingTimeInterval(60)
        while try harness.client.status().denseSearch.vectors < 2, Date() < deadline { usleep(200_000) }
        #expect(try harness.client.status().denseSearch.vectors == 2, "the control: both embedded")
        #expect(try harness.cli(["forget", root.path + "/drop.md"]).status == 0)
        #expect(try harness.client.status().denseSearch.vectors == 1)
        // As a new user found it once: after `sources remove`, status still counted the vectors.
        #expect(try harness.cli(["sources", "remove", root.path]).status == 0)
        #expect(try harness.client.status().denseSearch.vectors == 0, "removing the source drops its vectors before it answers")
    }

    @Test func forgettingOutsideEverySourceIsNotFound() throws {
        let harness = try DaemonHarness()
        try harness.start()
        let result = try harness.cli(["forget", "/nowhere/at/all.md"])
        #expect(result.status == 1)
        #expect(result.err.contains("unknown_root"), "\(result.err)")
    }
}
