import Foundation
import Logging
import Storage
@testable import Ingest

/// What a daemon start does: one indexer over the database in `directory` and one source (`root`,
/// by default `directory/root`; added on the first run), running until `body` returns.
enum IndexerRun {
    static func run(
        in directory: URL, root: String? = nil, extractor: (any DocumentExtracting)?,
        settings: IndexerSettings = IndexerSettings(watch: false, rescanInterval: .zero),
        _ body: @escaping @Sendable (Indexer, Store) async throws -> Void
    ) async throws {
        let store = try Store(path: directory.appendingPathComponent("index.sqlite").path)
        let indexer = Indexer(store: store, settings: settings, logger: Logger(label: "test"), documentExtractor: extractor)
        let root = root ?? directory.appendingPathComponent("root").path
        var record = try await store.root(path: root)
        if record == nil { record = try await store.addRoot(path: root, include: [], exclude: [], useDefaultExcludes: true) }
        guard let record else { return }
        _ = await indexer.rootAdded(record)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await indexer.run() }
            defer { group.cancelAll() }
            try await body(indexer, store)
        }
        try store.close()
    }
}
