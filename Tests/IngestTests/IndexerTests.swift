import Foundation
import Logging
import Storage
import Testing
@testable import Ingest

/// The indexer against a real store and real files, without the daemon around it.
@Suite struct IndexerTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("indexer-\(UUID().uuidString.prefix(8))")

    func makeRoot(_ files: [String: String]) throws -> String {
        let root = directory.appendingPathComponent("root")
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: false, encoding: .utf8)
        }
        return root.path
    }

    /// Runs the indexer while `body` runs, then cancels it.
    func withIndexer(
        _ settings: IndexerSettings, root: String, _ body: @escaping @Sendable (Indexer, Store) async throws -> Void
    ) async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try await IndexerRun.run(in: directory, root: root, extractor: nil, settings: settings, body)
    }

    static func eventually(_ timeout: Duration = .seconds(120), _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    @Test func firstPassIndexesEveryFileAndCountsThem() async throws {
        let root = try makeRoot(["a.md": "# A\n\nalpha words\n", "sub/b.txt": "beta words\n", ".hidden/c.md": "gamma\n"])
        try await withIndexer(IndexerSettings(watch: false), root: root) { (indexer: Indexer, store: Store) async throws in
            #expect(try await Self.eventually { await indexer.currentProgress().completedPasses >= 1 })
            let progress = await indexer.currentProgress()
            #expect(progress.state == .idle)
            #expect(progress.total == 2 && progress.done == 2)
            #expect(try await store.counts().indexed == 2)
            #expect(try await store.search("gamma", limit: 5, pathPrefix: nil).isEmpty, "hidden folders are skipped")
        }
    }

    @Test func periodicRescansFindChangesWhenNotWatching() async throws {
        let root = try makeRoot(["a.md": "first version\n"])
        let settings = IndexerSettings(watch: false, rescanInterval: .milliseconds(200), fallbackRescanInterval: .seconds(60))
        try await withIndexer(settings, root: root) { (indexer: Indexer, store: Store) async throws in
            #expect(try await Self.eventually { try await store.counts().indexed == 1 })
            try "second version with quokka\n".write(toFile: root + "/a.md", atomically: false, encoding: .utf8)
            #expect(try await Self.eventually { try await !store.search("quokka", limit: 1, pathPrefix: nil).isEmpty })
        }
    }

    @Test func aWatchLimitTurnsOnFallbackRescansForThatRoot() async throws {
        let root = try makeRoot(["a.md": "text\n"])
        // No periodic rescans; only the fallback ones for roots that cannot be watched.
        let settings = IndexerSettings(watch: true, rescanInterval: .zero, fallbackRescanInterval: .milliseconds(200))
        try await withIndexer(settings, root: root) { (indexer: Indexer, _: Store) async throws in
            #expect(try await Self.eventually { await indexer.currentProgress().completedPasses >= 1 })
            let before = await indexer.currentProgress()
            #expect(before.rootsWithoutWatches.isEmpty)
            await indexer.handle([.watchLimitReached(path: root + "/deep")])
            let after = await indexer.currentProgress()
            #expect(after.rootsWithoutWatches == [root])
            #expect(after.lastError?.message.contains("max_user_watches") == true)
            // Passes keep coming without any file changing: the fallback rescans.
            let passes = after.completedPasses
            #expect(try await Self.eventually { await indexer.currentProgress().completedPasses >= passes + 3 })
        }
    }

    @Test func anOverflowRescansEverything() async throws {
        let root = try makeRoot(["a.md": "text\n"])
        try await withIndexer(IndexerSettings(watch: false, rescanInterval: .zero), root: root) { (indexer: Indexer, store: Store) async throws in
            #expect(try await Self.eventually { await indexer.currentProgress().completedPasses >= 1 })
            try "lost event wombat\n".write(toFile: root + "/new.md", atomically: false, encoding: .utf8)
            await indexer.handle([.overflow])
            #expect(try await Self.eventually { try await !store.search("wombat", limit: 1, pathPrefix: nil).isEmpty })
        }
    }

    @Test func requestScanReturnsThePassToWaitFor() async throws {
        let root = try makeRoot(["a.md": "text\n"])
        try await withIndexer(IndexerSettings(watch: false, rescanInterval: .zero), root: root) { (indexer: Indexer, _: Store) async throws in
            #expect(try await Self.eventually { await indexer.currentProgress().completedPasses >= 1 })
            let target = await indexer.requestScan(root: nil)
            #expect(target > 1)
            #expect(try await Self.eventually { await indexer.currentProgress().completedPasses >= target })
        }
    }

    @Test func removingARootDropsItsQueuedWork() async throws {
        let root = try makeRoot(["a.md": "text\n"])
        try await withIndexer(IndexerSettings(watch: false, rescanInterval: .zero), root: root) { (indexer: Indexer, store: Store) async throws in
            #expect(try await Self.eventually { await indexer.currentProgress().completedPasses >= 1 })
            await indexer.rootRemoved(path: root)
            _ = try await store.removeRoot(path: root)
            await indexer.handle([.changed(path: root + "/a.md")])
            #expect(await indexer.currentProgress().queued == 0, "events under a removed root are ignored")
        }
    }

    @Test func aMissingRootKeepsItsIndexUntilItComesBack() async throws {
        let root = try makeRoot(["a.md": "# A\n\nnarwhal tusk\n", "b.md": "# B\n\nnarwhal pod\n"])
        try await withIndexer(IndexerSettings(watch: false, rescanInterval: .zero), root: root) { (indexer: Indexer, store: Store) async throws in
            #expect(try await Self.eventually { try await store.counts().indexed == 2 })
            let away = root + "-unmounted"
            try FileManager.default.moveItem(atPath: root, toPath: away)
            let target = await indexer.requestScan(root: nil)
            #expect(try await Self.eventually { await indexer.currentProgress().completedPasses >= target })
            #expect(try await store.counts().indexed == 2, "an unmounted root is not an empty one")
            #expect(await indexer.currentProgress().lastError?.message.contains("missing") == true)
            try FileManager.default.moveItem(atPath: away, toPath: root)
            try FileManager.default.removeItem(atPath: root + "/b.md")
            _ = await indexer.requestScan(root: nil)
            #expect(try await Self.eventually { try await store.counts().indexed == 1 })
        }
    }
}
