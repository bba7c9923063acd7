import Foundation
import Logging
import Storage
import Synchronization
import Testing
@testable import Ingest

/// A stand-in encoder: a vector from the text's bytes; counts calls, can stall after some batches.
final class FakeEncoder: PassageEmbedding, Sendable {
    let fingerprint: String
    let modelName: String
    let dimension = 4
    let calls = Mutex(0)
    let stallAfter: Int?

    init(name: String, stallAfter: Int? = nil) {
        modelName = name
        fingerprint = name + "@test"
        self.stallAfter = stallAfter
    }

    func embedPassages(_ texts: [String]) async throws -> [[Float]] {
        let call = calls.withLock { count in
            count += 1
            return count
        }
        if let stallAfter, call > stallAfter { try await Task.sleep(for: .seconds(3600)) }
        return texts.map { text in
            let bytes = Array(text.utf8)
            var v: [Float] = [Float(bytes.count), Float(bytes.first ?? 0), Float(bytes.last ?? 0), 1]
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            v = v.map { $0 / norm }
            return v
        }
    }
}

@Suite final class EmbeddingWorkerTests {
    /// Each test's database (and its -wal and -shm files), removed when the test ends.
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("worker-\(UUID().uuidString)")

    deinit { try? FileManager.default.removeItem(at: directory) }

    func makeStore(chunks: Int) async throws -> Store {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("index.sqlite").path
        let store = try Store(path: path)
        let root = try await store.addRoot(path: "/r", include: [], exclude: [], useDefaultExcludes: true)
        for d in 0..<(chunks / 5) {
            let texts = (0..<5).map { "document \(d) chunk \($0) " + String(repeating: "x", count: d) }
            let document = DocumentRecord(
                rootId: root.id ?? 0, path: "/r/\(d).md", device: 1, inode: Int64(d), size: 1, mtimeNanoseconds: 0, contentHash: nil,
                status: .indexed, reason: nil, encoding: "utf-8", kind: "markdown", chunkCount: 5, indexedAt: Date())
            try await store.saveIndexed(
                document, chunks: texts.enumerated().map { Chunk(ordinal: $0.offset, text: $0.element, byteStart: 0, byteEnd: 1, lineStart: 1, lineEnd: 1) })
        }
        return store
    }

    final class Events: Sendable {
        let vectors = Mutex(0)
        let deleted = Mutex<[Int64]>([])
        let activations = Mutex(0)
    }

    func makeWorker(_ store: Store, _ encoder: FakeEncoder, _ events: Events) -> EmbeddingWorker {
        EmbeddingWorker(
            store: store, encoder: encoder, batchSize: 8, logger: Logger(label: "test"),
            onVectors: { rows in events.vectors.withLock { $0 += rows.count } },
            onDeleted: { ids in events.deleted.withLock { $0 += ids } },
            onActivated: { events.activations.withLock { $0 += 1 } })
    }

    func runUntil(_ worker: EmbeddingWorker, _ condition: @escaping @Sendable () async throws -> Bool) async throws -> Bool {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { await worker.run(); return false }
            group.addTask {
                let deadline = ContinuousClock.now + .seconds(120)
                while ContinuousClock.now < deadline {
                    if try await condition() { return true }
                    try await Task.sleep(for: .milliseconds(10))
                }
                return false
            }
            let result = try await group.next() ?? false
            group.cancelAll()
            return result
        }
    }

    /// The first model is active from the start: its vectors stream into the search matrix as they come.
    @Test func theFirstModelIsActiveAtOnceAndItsVectorsStreamIn() async throws {
        let store = try await makeStore(chunks: 50)
        let events = Events()
        let worker = makeWorker(store, FakeEncoder(name: "a"), events)
        let done = try await runUntil(worker) { await worker.currentProgress().embedded == 50 }
        #expect(done)
        let progress = await worker.currentProgress()
        #expect(progress.embedded == 50 && progress.chunks == 50)
        #expect(progress.isActive)
        #expect(events.activations.withLock { $0 } == 0, "nothing to switch from")
        #expect(events.vectors.withLock { $0 } == 50)
        #expect(try await store.embeddingModels().map(\.isActive) == [true])
        let matrix = try await store.loadEmbeddings(fingerprint: "a@test", dimension: 4)
        #expect(matrix.ids.count == 50 && matrix.values.count == 200)
    }

    @Test func aNewModelFillsBesideTheActiveOneAndSwitchesWhenComplete() async throws {
        let store = try await makeStore(chunks: 40)
        let first = Events()
        let workerA = makeWorker(store, FakeEncoder(name: "a"), first)
        #expect(try await runUntil(workerA) { await workerA.currentProgress().embedded == 40 })

        // Model b stalls after two batches (16 of 40 chunks): a stays the active model meanwhile.
        let second = Events()
        let stalled = makeWorker(store, FakeEncoder(name: "b", stallAfter: 2), second)
        #expect(try await runUntil(stalled) { try await store.embeddingProgress(fingerprint: "b@test").embedded == 16 })
        let models = try await store.embeddingModels()
        #expect(models.first { $0.isActive }?.fingerprint == "a@test")
        #expect(second.vectors.withLock { $0 } == 0, "vectors of an inactive model stay out of the search matrix")

        // A restart resumes: only the remaining 24 chunks are embedded, then b becomes the only model.
        let encoder = FakeEncoder(name: "b")
        let resumed = makeWorker(store, encoder, second)
        #expect(try await runUntil(resumed) { await resumed.currentProgress().isActive })
        #expect(encoder.calls.withLock { $0 } == 3, "24 chunks in batches of 8")
        #expect(second.activations.withLock { $0 } == 1)
        #expect(try await store.embeddingModels().map(\.fingerprint) == ["b@test"])
        #expect(try await store.embeddingProgress(fingerprint: "a@test").embedded == 0)
    }

    @Test func deletedChunksAreReportedAndNewOnesEmbeddedAfterAWake() async throws {
        let store = try await makeStore(chunks: 10)
        let events = Events()
        let worker = makeWorker(store, FakeEncoder(name: "a"), events)
        let ok = try await runUntil(worker) {
            let progress = await worker.currentProgress()
            if progress.embedded == 10 {
                let page = try await store.listDocuments(status: nil, pathPrefix: "/r/0.md", limit: 1, offset: 0)
                if let id = page.documents.first?.id {
                    try await store.removeDocuments(ids: [id])
                    worker.wake()
                }
            }
            return events.deleted.withLock { $0.count } == 5
        }
        #expect(ok)
        #expect(events.vectors.withLock { $0 } == 10)
    }

    /// A removed source's chunks go by cascade, without a wake from the indexer: whoever removed them
    /// waits for their vectors to leave the matrix, and they have by the time the wait returns.
    @Test func dropDeletedVectorsReturnsOnceTheDeletionsAreApplied() async throws {
        let store = try await makeStore(chunks: 20)
        let events = Events()
        let worker = makeWorker(store, FakeEncoder(name: "a"), events)
        let ok = try await runUntil(worker) {
            guard await worker.currentProgress().embedded == 20 else { return false }
            let removed = try await store.removeRoot(path: "/r")
            await worker.dropDeletedVectors()
            #expect(removed == 4)
            return true
        }
        #expect(ok)
        #expect(events.deleted.withLock { $0.count } == 20, "every removed chunk's vector is dropped before the wait returns")
    }

    @Test func dropDeletedVectorsDoesNotWaitForAStoppedWorker() async throws {
        let store = try await makeStore(chunks: 5)
        let worker = makeWorker(store, FakeEncoder(name: "a"), Events())
        #expect(try await runUntil(worker) { await worker.currentProgress().embedded == 5 })
        await worker.dropDeletedVectors()  // run() has returned (cancelled): must not hang
    }
}
