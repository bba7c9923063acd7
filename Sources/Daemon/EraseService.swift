import Ingest
import Logging
import ServiceLifecycle
import Storage

/// Erases what the indexer deleted (files gone from disk, the old text of edited files) within
/// seconds: merges the full-text index, checkpoints and truncates the WAL (see `Store.erase()`), and
/// lets the embedding worker drop the deleted chunks' vectors from memory. Batched: one erase for a
/// burst of deletions.
struct EraseService: Service {
    let store: Store
    let embeddingWorker: EmbeddingWorker?
    let logger: Logger
    /// Told after each erase: the decoders forget the prompt they keep, which may quote erased text.
    var erased: @Sendable () -> Void = {}
    var interval: Duration = .seconds(2)
    /// An erase rewrites the whole full-text index, so it costs more as the index grows (docs/SECURITY.md
    /// has the figures): the next one waits at least this many times as long as the last took, which
    /// keeps erasing to about a tenth of the writer's time while many edited files are re-indexed.
    var spacing = 10

    func run() async throws {
        var earliest = ContinuousClock.now
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if store.needsErase, ContinuousClock.now >= earliest {
                await embeddingWorker?.dropDeletedVectors()
                let started = ContinuousClock.now
                do {
                    try await store.erase()
                    erased()
                } catch {
                    logger.error("erasing deleted documents from the database failed: \(error); it is retried")
                }
                let took = ContinuousClock.now - started
                earliest = ContinuousClock.now + took * spacing
                if took > .seconds(1) { logger.info("erased deleted and replaced text in \(took); the next erase waits \(took * spacing)") }
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                break
            }
        }
    }
}
