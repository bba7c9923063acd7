import Foundation
import Testing
@testable import Storage

@Suite struct StoreTests {
    @Test func migrationCreatesSchema() async throws {
        try await withTemporaryStore { store in
            let names = try await store.schemaNames()
            for name in [
                "root", "document", "chunk", "chunk_fts", "document_on_device_inode", "document_on_rootId",
                "chunk_on_documentId_ordinal", "chunk_after_insert", "chunk_after_delete", "chunk_after_update",
            ] {
                #expect(names.contains(name), "missing \(name)")
            }
            #expect(try await store.counts() == StoreCounts(roots: 0, documents: 0, indexed: 0, failed: 0, skipped: 0, chunks: 0))
        }
    }

    @Test func opensInWALMode() async throws {
        try await withTemporaryStore { store in
            let mode = try await store.journalMode()
            #expect(mode == "wal")
        }
    }

    @Test func createsMissingParentFolderPrivately() async throws {
        try await withTemporaryDirectory { directory in
            let parent = directory.appendingPathComponent("a/b")
            let store = try Store(path: parent.appendingPathComponent("index.sqlite").path)
            defer { try? store.close() }
            let attributes = try FileManager.default.attributesOfItem(atPath: parent.path)
            let permissions = try #require(attributes[.posixPermissions] as? NSNumber).intValue
            #expect(permissions & 0o777 == 0o700)
            #expect(store.sizeOnDisk() > 0)
        }
    }

    @Test func reopeningKeepsData() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("index.sqlite").path
            let first = try Store(path: path)
            let rootId = try await addRoot(first)
            try await first.saveIndexed(makeDocument(rootId: rootId, path: "/r/a.txt"), chunks: makeChunks(["lighthouse keeper"]))
            try first.close()
            // The TRUNCATE checkpoint leaves nothing behind in the log.
            let walSize = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? NSNumber)?.intValue ?? 0
            #expect(walSize == 0)

            let second = try Store(path: path)
            defer { try? second.close() }
            #expect(try await second.roots().map(\.path) == ["/r"])
            let hits = try await second.search("lighthouse", limit: 10, pathPrefix: nil)
            #expect(hits.map(\.path) == ["/r/a.txt"])
            #expect(try await second.integrityCheck() == ["ok"])
        }
    }

    @Test func closedStoreRefusesWork() async throws {
        try await withTemporaryDirectory { directory in
            let store = try Store(path: directory.appendingPathComponent("index.sqlite").path)
            try store.close()
            await #expect(throws: StoreError.self) { try await store.counts() }
        }
    }

    @Test func garbageFileIsReportedAsCorrupt() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("index.sqlite").path
            try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: path))
            #expect {
                _ = try Store(path: path)
            } throws: { error in
                guard case .corrupt = error as? StoreError else { return false }
                return true
            }
        }
    }

    @Test func unusableFolderIsReportedAsCannotOpen() async throws {
        try await withTemporaryDirectory { directory in
            // The parent "folder" is a regular file.
            let file = directory.appendingPathComponent("file")
            try Data("x".utf8).write(to: file)
            #expect {
                _ = try Store(path: file.appendingPathComponent("index.sqlite").path)
            } throws: { error in
                guard case .cannotOpen(let path, _) = error as? StoreError else { return false }
                return path.hasSuffix("file/index.sqlite")
            }
        }
    }

    /// A reader is not blocked by a writer: while a transaction holding new chunks is open, reads
    /// complete and see the state before it; after the commit they see the new chunks.
    @Test func readsRunWhileAWriteIsInFlight() async throws {
        try await withTemporaryStore { store in
            let rootId = try await addRoot(store)
            let chunkCount = 2000
            let chunks = makeChunks((0..<chunkCount).map { "paragraph \($0) about tidal islands" })
            let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
            let proceed = DispatchSemaphore(value: 0)

            let writer = Task {
                try await store.write { db in
                    let id = try Store.upsert(makeDocument(rootId: rootId, path: "/r/big.txt"), db).id
                    for chunk in chunks { try chunk.insert(db, documentId: id) }
                    startedContinuation.yield()
                    // Hold the transaction open until the reads are done; time out rather than hang.
                    // (a minute: a loaded 2-core machine running every suite at once took over 10 s)
                    if proceed.wait(timeout: .now() + 60) == .timedOut {
                        throw StoreError.sqlite("test reader never finished")
                    }
                }
            }

            for await _ in started { break }
            var results: [StoreCounts] = []
            for _ in 0..<5 {
                results.append(try await store.counts())
            }
            let hitsDuring = try await store.search("tidal", limit: 10, pathPrefix: nil)
            proceed.signal()
            try await writer.value

            #expect(results.allSatisfy { $0.chunks == 0 && $0.documents == 0 })
            #expect(hitsDuring.isEmpty)
            #expect(try await store.counts().chunks == chunkCount)
        }
    }

    /// Reads racing a large save see either none of it or all of it, never a part.
    @Test func concurrentReadsSeeWholeTransactions() async throws {
        try await withTemporaryStore { store in
            let rootId = try await addRoot(store)
            let chunkCount = 3000
            let chunks = makeChunks((0..<chunkCount).map { "line \($0) of the harbour log" })
            try await withThrowingTaskGroup(of: [Int].self) { group in
                group.addTask {
                    try await store.saveIndexed(makeDocument(rootId: rootId, path: "/r/log.txt"), chunks: chunks)
                    return []
                }
                for _ in 0..<2 {
                    group.addTask {
                        var seen: [Int] = []
                        for _ in 0..<20 { seen.append(try await store.counts().chunks) }
                        return seen
                    }
                }
                for try await seen in group {
                    #expect(seen.allSatisfy { $0 == 0 || $0 == chunkCount })
                }
            }
            #expect(try await store.counts().chunks == chunkCount)
        }
    }
}
