import API
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The findings of a probe of the daemon with hostile files and folders (issue 21), each as the
/// probe showed it, against the real binaries.
extension EndToEndTests {
    static func eventually(_ what: String, timeout: TimeInterval = 15, _ condition: () throws -> Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? condition()) == true { return }
            usleep(50_000)
        }
        Issue.record("timed out waiting until \(what)")
    }

    /// Finding 4: a file replaced by a directory of the same name is no longer searchable or cited.
    @Test func aFileReplacedByADirectoryLeavesTheIndex() throws {
        let harness = try DaemonHarness()
        let folder = try harness.makeFolder("live", files: ["keep.md": "cobalt\n"])
        try harness.start()
        _ = try harness.client.addSource(SourceRequest(path: folder.path))
        try harness.waitUntilIdle()
        let path = folder.path + "/x.txt"
        try "zanzibar tangerine\n".write(toFile: path, atomically: false, encoding: .utf8)
        Self.eventually("x.txt is indexed") { try !harness.client.search(SearchRequest(query: "zanzibar")).hits.isEmpty }
        usleep(1_000_000)
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        Self.eventually("the replaced file leaves the index") {
            try harness.client.search(SearchRequest(query: "zanzibar")).hits.isEmpty
                && harness.client.documents(pathPrefix: path).documents.isEmpty
        }
        // A file inside the new directory is indexed as usual.
        try "inside quokka\n".write(toFile: path + "/inner.txt", atomically: false, encoding: .utf8)
        Self.eventually("the file in the new directory is indexed") {
            try harness.client.search(SearchRequest(query: "quokka")).hits.first?.path == path + "/inner.txt"
        }
        #expect(harness.stop() == 0)
    }

    /// Finding 5: removing a source stops its running pass at once; a source added next does not
    /// wait behind the rest of the removed tree.
    @Test func removingASourceCancelsItsRunningPass() throws {
        let harness = try DaemonHarness()
        let big = try Self.makeManyFiles(in: harness, count: 3000)
        let small = try harness.makeFolder("small", files: ["s.md": "# S\n\nThe wombat burrow.\n"])
        try harness.start()
        _ = try harness.client.addSource(SourceRequest(path: big.path))
        Self.eventually("indexing is under way", timeout: 60) { try harness.client.status().counts.indexed >= 100 }
        let before = try harness.client.status()
        #expect(before.indexing.state == .indexing && before.counts.indexed < 2500, "still indexing: \(before.counts.indexed)")
        _ = try harness.client.removeSource(path: big.path)
        _ = try harness.client.addSource(SourceRequest(path: small.path))
        let removedAt = Date()
        // From half a second on, no file of the removed tree is being read.
        usleep(500_000)
        var readAfterRemoval: [String] = []
        let watchUntil = Date().addingTimeInterval(2)
        while Date() < watchUntil {
            if let path = try harness.client.status().indexing.currentPath, path.hasPrefix(big.path + "/") {
                readAfterRemoval.append(path)
            }
            usleep(20_000)
        }
        #expect(readAfterRemoval.isEmpty, "still reading the removed source: \(readAfterRemoval.prefix(3))")
        Self.eventually("the new source is indexed", timeout: 10) {
            try harness.client.search(SearchRequest(query: "wombat")).hits.first?.path == small.path + "/s.md"
        }
        #expect(Date().timeIntervalSince(removedAt) < 10)
        #expect(try harness.client.documents(pathPrefix: big.path + "/").documents.isEmpty)
        #expect(harness.stop() == 0)
    }

    /// Finding 6: a file of one 3 MB "word" becomes many chunks under the byte cap, and a search
    /// returns bounded text and a short snippet, not the whole run.
    @Test func aHugeSingleWordFileGivesBoundedChunksAndResponses() throws {
        let harness = try DaemonHarness()
        let folder = try harness.makeFolder("words", files: [:])
        let run = String(repeating: "a", count: 3_000_000)
        try (run + " zebra\n").write(toFile: folder.path + "/one-word.txt", atomically: false, encoding: .utf8)
        try harness.start()
        _ = try harness.client.addSource(SourceRequest(path: folder.path))
        try harness.waitUntilIdle(passes: 2)
        let document = try #require(try harness.client.documents().documents.first)
        #expect(document.status == .indexed)
        #expect(document.chunks >= 3_000_000 / 6144, "\(document.chunks) chunks")
        let hits = try harness.client.search(SearchRequest(query: "zebra", limit: 100)).hits
        #expect(!hits.isEmpty)
        for hit in hits {
            #expect(hit.text.utf8.count <= 6144, "text of \(hit.text.utf8.count) bytes")
            #expect(hit.snippet.unicodeScalars.count <= 401, "snippet of \(hit.snippet.unicodeScalars.count) characters")
        }
        let answer = try harness.client.raw("POST", "/search", body: Data(#"{"query": "zebra", "limit": 100}"#.utf8))
        #expect(answer.body.count < 1 << 20, "a search answered \(answer.body.count) bytes")
        #expect(harness.stop() == 0)
    }
}
