import Foundation
public import Logging
public import Storage

/// Where embedding is; shown by `/v1/status`.
public struct EmbeddingProgress: Sendable, Equatable {
    public enum State: String, Sendable {
        case idle, embedding
    }
    public var model: String
    public var fingerprint: String
    public var dimension: Int
    public var state: State = .idle
    public var embedded = 0
    public var chunks = 0
    public var chunksPerSecond: Double = 0
    /// True once this model's vectors are the ones search uses.
    public var isActive = false
    public var lastError: String?
}

/// Gives every chunk a vector from the configured encoder, in batches across documents, while the
/// indexer goes on extracting (the two run concurrently; SQLite's WAL lets the worker read chunks
/// while the indexer writes). With a new encoder it fills the new vectors beside the old ones, which
/// search keeps using, and switches in one transaction once the new set is complete; after a
/// restart it resumes where it stopped, since every batch is committed.
public actor EmbeddingWorker {
    private let store: Store
    private let encoder: any PassageEmbedding
    private let batchSize: Int
    private let logger: Logger
    /// New vectors of the active model, for the in-memory matrix.
    private let onVectors: @Sendable ([(chunkId: Int64, vector: [Float])]) async -> Void
    /// Chunks deleted since the last look, for the in-memory matrix.
    private let onDeleted: @Sendable ([Int64]) async -> Void
    /// This model's set became complete and is now the active one.
    private let onActivated: @Sendable () async -> Void

    private var progress: EmbeddingProgress
    private let wakeups: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation
    private var recentRate: (count: Int, since: ContinuousClock.Instant)?
    private var batchesSinceRefresh = 0
    /// Callers of `dropDeletedVectors()`, resumed once the deletions before their call are applied.
    private var deletionWaiters: [CheckedContinuation<Void, Never>] = []
    private var hasStopped = false

    public init(
        store: Store, encoder: any PassageEmbedding, batchSize: Int = 32, logger: Logger,
        onVectors: @escaping @Sendable ([(chunkId: Int64, vector: [Float])]) async -> Void,
        onDeleted: @escaping @Sendable ([Int64]) async -> Void,
        onActivated: @escaping @Sendable () async -> Void
    ) {
        self.store = store
        self.encoder = encoder
        self.batchSize = max(1, batchSize)
        self.logger = logger
        self.onVectors = onVectors
        self.onDeleted = onDeleted
        self.onActivated = onActivated
        progress = EmbeddingProgress(model: encoder.modelName, fingerprint: encoder.fingerprint, dimension: encoder.dimension)
        (wakeups, wakeContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    public func currentProgress() -> EmbeddingProgress { progress }

    /// There may be new chunks (or deleted ones): look again.
    public nonisolated func wake() { wakeContinuation.yield() }

    /// Returns once the vectors of every chunk deleted before the call have left the in-memory
    /// matrix (at once if the worker has stopped). For deletions nobody else announces, such as a
    /// removed source: its chunks go by cascade, and status and search must agree with the store.
    /// The run loop applies them between batches, so a batch's vectors never land after their
    /// chunks' deletion was applied.
    public func dropDeletedVectors() async {
        guard !hasStopped else { return }
        await withCheckedContinuation { continuation in
            deletionWaiters.append(continuation)
            wake()
        }
    }

    /// Runs until cancelled.
    public func run() async {
        defer {
            hasStopped = true
            for waiter in deletionWaiters { waiter.resume() }
            deletionWaiters = []
        }
        do {
            try await store.registerEmbeddingModel(
                fingerprint: encoder.fingerprint, name: encoder.modelName, dimension: encoder.dimension)
            progress.isActive = try await store.embeddingModels().contains { $0.fingerprint == encoder.fingerprint && $0.isActive }
            let counts = try await store.embeddingProgress(fingerprint: encoder.fingerprint)
            progress.embedded = counts.embedded
            progress.chunks = counts.chunks
            // The matrix is loaded fresh by the daemon at start; older deletions are already reflected.
            _ = try await store.drainDeletedChunks()
        } catch {
            fail("cannot prepare the embeddings table: \(error)")
            return
        }
        var iterator = wakeups.makeAsyncIterator()
        var cursor: Int64 = 0
        while !Task.isCancelled {
            do {
                try await applyDeletions()
                let batch = try await store.chunksNeedingEmbedding(fingerprint: encoder.fingerprint, afterId: cursor, limit: batchSize)
                if batch.isEmpty {
                    try await finishPass()
                    cursor = 0
                    guard await iterator.next() != nil else { return }
                    continue
                }
                progress.state = .embedding
                let vectors = try await encoder.embedPassages(batch.map { PassageContext.text($0.text, section: $0.section) })
                let rows = zip(batch, vectors).map { (chunkId: $0.id, vector: $1) }
                try await store.saveEmbeddings(fingerprint: encoder.fingerprint, rows)
                if progress.isActive { await onVectors(rows) }
                cursor = batch.last?.id ?? cursor
                await count(rows.count)
            } catch is CancellationError {
                return
            } catch {
                fail("embedding failed: \(error)")
                // A persistent failure (a broken model) must not spin: wait for the next change.
                guard await iterator.next() != nil else { return }
            }
        }
    }

    /// Drops the vectors of chunks deleted since the last look, then resumes those who waited for it
    /// (deletions after they asked are applied by then; later ones wait for the next round).
    private func applyDeletions() async throws {
        let waiting = deletionWaiters
        deletionWaiters = []
        defer { for waiter in waiting { waiter.resume() } }
        let deleted = try await store.drainDeletedChunks()
        if !deleted.isEmpty { await onDeleted(deleted) }
    }

    /// Nothing left to embed: refresh the counts, and switch to this model if it is complete.
    private func finishPass() async throws {
        let counts = try await store.embeddingProgress(fingerprint: encoder.fingerprint)
        progress.embedded = counts.embedded
        progress.chunks = counts.chunks
        progress.state = .idle
        recentRate = nil
        if !progress.isActive, counts.embedded == counts.chunks {
            try await store.activateEmbeddingModel(encoder.fingerprint)
            progress.isActive = true
            logger.info("search now uses the vectors of \(encoder.modelName)")
            await onActivated()
        }
    }

    /// Counts a batch, refreshing the totals from the store now and then (the indexer adds chunks
    /// meanwhile) and the rate over the current run of batches.
    private func count(_ done: Int) async {
        progress.embedded += done
        batchesSinceRefresh += 1
        if batchesSinceRefresh >= 10, let counts = try? await store.embeddingProgress(fingerprint: encoder.fingerprint) {
            progress.embedded = counts.embedded
            progress.chunks = counts.chunks
            batchesSinceRefresh = 0
        }
        let now = ContinuousClock.now
        if let (count, since) = recentRate {
            let elapsed = now - since
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            recentRate = (count + done, since)
            if seconds > 0 { progress.chunksPerSecond = Double(count + done) / seconds }
        } else {
            recentRate = (0, now)
        }
    }

    private func fail(_ message: String) {
        progress.lastError = message
        progress.state = .idle
        logger.error("\(message)")
    }
}
