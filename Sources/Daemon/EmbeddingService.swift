import Foundation
import Inference
import Ingest
import Logging
import Retrieval
import ServiceLifecycle
import Storage

/// Keeps dense search in step: loads the active model's vectors into memory, runs the embedding
/// worker, and follows it when a new model's set becomes complete. It owns the worker and what the
/// worker's news does to search: new vectors and deletions reach the in-memory matrix, and a
/// completed model becomes the one search uses.
struct EmbeddingService: Service {
    let store: Store
    let host: EncoderHost
    /// Gives every chunk a vector; the API and the eraser ask it to drop deleted vectors at once.
    let worker: EmbeddingWorker
    /// This model's vectors, in memory.
    let index: VectorIndex
    let searcher: Searcher
    let configuration: DaemonConfiguration
    let logger: Logger

    /// Dense search is off until `run()` has loaded the stored vectors.
    init(store: Store, host: EncoderHost, searcher: Searcher, configuration: DaemonConfiguration, logger: Logger) {
        searcher.disableDense(reason: "the stored vectors of \(host.modelName) are being loaded; try again in a moment")
        let index = VectorIndex(
            dimension: host.dimension, threads: configuration.encoder.threads ?? ProcessInfo.processInfo.activeProcessorCount)
        worker = EmbeddingWorker(
            store: store, encoder: PassageEncoder(host: host), batchSize: host.batchSize, logger: logger,
            onVectors: { rows in index.upsert(rows.map { (id: $0.chunkId, vector: $0.vector) }) },
            onDeleted: { ids in
                index.remove(ids)
                // While a new encoder fills in, search (and status) use the previous model's matrix.
                if let serving = searcher.denseState?.index, serving !== index { serving.remove(ids) }
            },
            onActivated: {
                await Self.activated(store: store, host: host, index: index, searcher: searcher, logger: logger)
            })
        self.store = store
        self.host = host
        self.index = index
        self.searcher = searcher
        self.configuration = configuration
        self.logger = logger
    }

    /// The worker looks for new chunks whenever the indexer stores, moves or removes documents.
    func follow(_ indexer: Indexer) async {
        await indexer.observeChanges { [worker] in worker.wake() }
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await prepareSearch()
            await worker.run()
        }
    }

    /// Dense search with the vectors already stored: this model's if it is the active one; while a
    /// new model is being filled in, the previous model's (loading that encoder for queries) when
    /// its files are still there.
    private func prepareSearch() async {
        do {
            // Registered first: on a fresh index the first model is the active one from the start,
            // and its vectors stream into the matrix as they are made.
            try await store.registerEmbeddingModel(fingerprint: host.fingerprint, name: host.modelName, dimension: host.dimension)
            let models = try await store.embeddingModels()
            guard let active = models.first(where: \.isActive), active.fingerprint != host.fingerprint else {
                try await loadMatrix(into: index, fingerprint: host.fingerprint, dimension: host.dimension)
                searcher.enableDense(.init(encoder: QueryEncoder(host: host), index: index))
                return
            }
            let previousDirectory = URL(fileURLWithPath: configuration.modelsDirectory).appendingPathComponent(active.name)
            if let previous = try? EncoderHost(
                directory: previousDirectory, threads: configuration.encoder.threads,
                prefixes: EmbeddingPrefixes(query: configuration.encoder.queryPrefix, passage: configuration.encoder.passagePrefix),
                batchSize: 1), previous.fingerprint == active.fingerprint
            {
                let previousIndex = VectorIndex(dimension: active.dimension)
                try await loadMatrix(into: previousIndex, fingerprint: active.fingerprint, dimension: active.dimension)
                searcher.enableDense(.init(encoder: QueryEncoder(host: previous), index: previousIndex))
                logger.info("re-embedding with \(host.modelName); search uses \(active.name) until that is done")
            } else {
                searcher.disableDense(
                    reason: "re-embedding with \(host.modelName); the previous encoder \(active.name) is gone, so dense search waits until that is done")
            }
        } catch {
            logger.error("cannot load the stored vectors: \(error)")
            searcher.disableDense(reason: "the stored vectors could not be loaded: \(error)")
        }
    }

    /// The worker finished this model's set and made it active: search switches to it.
    private static func activated(store: Store, host: EncoderHost, index: VectorIndex, searcher: Searcher, logger: Logger) async {
        do {
            try await loadMatrix(store: store, into: index, fingerprint: host.fingerprint, dimension: host.dimension, logger: logger)
            searcher.enableDense(.init(encoder: QueryEncoder(host: host), index: index))
        } catch {
            logger.error("cannot load the new vectors: \(error)")
        }
    }

    private func loadMatrix(into index: VectorIndex, fingerprint: String, dimension: Int) async throws {
        try await Self.loadMatrix(store: store, into: index, fingerprint: fingerprint, dimension: dimension, logger: logger)
    }

    private static func loadMatrix(store: Store, into index: VectorIndex, fingerprint: String, dimension: Int, logger: Logger) async throws {
        let started = ContinuousClock.now
        let rows = try await store.reduceEmbeddings(fingerprint: fingerprint, dimension: dimension, into: VectorIndex.Rows(dimension: dimension)) {
            rows, id, vector in rows.append(id: id, vector: vector)
        }
        index.replace(with: rows)
        logger.info("loaded \(rows.count) vectors in \(ContinuousClock.now - started)")
    }
}
