public import Storage
import Synchronization

public enum RetrievalMode: String, Sendable, CaseIterable {
    case bm25, dense, hybrid
}

public enum RetrievalError: Error, Sendable, Equatable {
    /// Dense search was asked for, but no encoder (or no vectors) is ready.
    case denseUnavailable(String)
    public var message: String {
        switch self {
        case .denseUnavailable(let reason): reason
        }
    }
}

/// Search over the store by words (BM25 over FTS5), by meaning (dense vectors) or both (rank fusion).
public final class Searcher: Sendable {
    /// The encoder and the vectors it made, once both are ready.
    public struct Dense: Sendable {
        public var encoder: any QueryEmbedding
        public var index: VectorIndex
        public init(encoder: any QueryEmbedding, index: VectorIndex) {
            self.encoder = encoder
            self.index = index
        }
    }

    private let store: Store
    private let dense = Mutex<Dense?>(nil)
    private let unavailableReason = Mutex("no encoder is configured")
    /// How many candidates each list contributes to fusion.
    public let fusionDepth: Int

    public init(store: Store, fusionDepth: Int = 100) {
        self.store = store
        self.fusionDepth = fusionDepth
    }

    public func enableDense(_ value: Dense) { dense.withLock { $0 = value } }

    public func disableDense(reason: String) {
        dense.withLock { $0 = nil }
        unavailableReason.withLock { $0 = reason }
    }

    public var denseState: Dense? { dense.withLock { $0 } }

    /// Why dense search is unavailable, or nil when it is available.
    public var denseUnavailableReason: String? {
        dense.withLock { $0 } == nil ? unavailableReason.withLock { $0 } : nil
    }

    /// Runs the search; returns the mode that actually ran (hybrid is BM25 alone while no encoder is
    /// ready) and the hits, best first, with `score` set.
    public func search(_ query: String, mode: RetrievalMode, limit: Int, pathPrefix: String?) async throws
        -> (mode: RetrievalMode, hits: [StoredHit])
    {
        let limit = max(1, limit)
        let dense = self.dense.withLock { $0 }
        switch mode {
        case .bm25:
            return (.bm25, try await store.search(query, limit: limit, pathPrefix: pathPrefix))
        case .dense:
            guard let dense else { throw RetrievalError.denseUnavailable(unavailableReason.withLock { $0 }) }
            return (.dense, try await denseSearch(query, dense, limit: limit, pathPrefix: pathPrefix))
        case .hybrid:
            guard let dense else { return (.bm25, try await store.search(query, limit: limit, pathPrefix: pathPrefix)) }
            let depth = max(fusionDepth, limit)
            let lexical: [StoredHit]
            do {
                lexical = try await store.search(query, limit: depth, pathPrefix: pathPrefix)
            } catch StoreError.emptyQuery {
                lexical = []
            }
            let semantic = try await denseSearch(query, dense, limit: depth, pathPrefix: pathPrefix)
            let fused = RankFusion.reciprocalRank([lexical.map(\.chunkId), semantic.map(\.chunkId)])
            var byId: [Int64: StoredHit] = [:]
            for hit in semantic { byId[hit.chunkId] = hit }
            for hit in lexical { byId[hit.chunkId] = hit }  // BM25's snippets carry the highlights
            let hits = fused.prefix(limit).compactMap { item -> StoredHit? in
                guard var hit = byId[item.id] else { return nil }
                hit.score = item.score
                return hit
            }
            return (.hybrid, hits)
        }
    }

    /// Scans the Int8 matrix for candidates, rescores them exactly with the stored Float32 vectors,
    /// and reads their chunks; a path filter widens the scan since it applies after.
    private func denseSearch(_ query: String, _ dense: Dense, limit: Int, pathPrefix: String?) async throws -> [StoredHit] {
        let vector = try await dense.encoder.embedQuery(query)
        let wanted = pathPrefix == nil ? max(limit * 2, 64) : max(limit * 20, 2000)
        let candidates = dense.index.nearest(vector, k: wanted)
        let stored = try await store.embeddings(fingerprint: dense.encoder.fingerprint, chunkIds: candidates.map(\.id))
        var rescored: [(id: Int64, score: Float)] = candidates.map { candidate in
            guard let exact = stored[candidate.id], exact.count == vector.count else { return candidate }
            var sum: Float = 0
            for i in 0..<vector.count { sum += exact[i] * vector[i] }
            return (candidate.id, sum)
        }
        rescored.sort { $0.score > $1.score }
        let scores = Dictionary(rescored.map { ($0.id, $0.score) }, uniquingKeysWith: { a, _ in a })
        let hits = try await store.hits(chunkIds: rescored.map(\.id), query: query, pathPrefix: pathPrefix)
        return hits.prefix(limit).map { hit in
            var hit = hit
            hit.score = Double(scores[hit.chunkId] ?? 0)
            return hit
        }
    }
}
