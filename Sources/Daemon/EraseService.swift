import Ingest
import Logging
import ServiceLifecycle
import Storage

/// Erases what the indexer deleted (files gone from disk) within seconds: merges the full-text
/// index, checkpoints and truncates the WAL (see `Store.erase()`), and lets the embedding worker
/// drop the deleted chunks' vectors from memory. Batched: one erase for a burst of deletions.
struct EraseService: Service {
    let store: Store
    let embeddingWorker: EmbeddingWorker?
    let logger: Logger
    var interval: Duration = .seconds(2)

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if store.needsErase {
                await embeddingWorker?.dropDeletedVectors()
                do {
                    try await store.erase()
                } catch {
                    logger.error("erasing deleted documents from the database failed: \(error); it is retried")
                }
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                break
            }
        }
    }
}
