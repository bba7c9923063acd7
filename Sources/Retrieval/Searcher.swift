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
    public let fusion: Fusion

    /// How hybrid search combines the two lists.
    public enum Fusion: Sendable, Equatable {
        /// α × normalised BM25 + (1 − α) × cosine. The default α = 0.4 was chosen on the public SQuAD
        /// half (docs/EVALUATION.md: 0.3 to 0.5 all do about as well; reciprocal-rank fusion less).
        case convex(alpha: Double)
        case reciprocalRank(k: Double)
        public static let standard = Fusion.convex(alpha: 0.4)
    }

    public init(store: Store, fusionDepth: Int = 100, fusion: Fusion = .standard) {
        self.store = store
        self.fusionDepth = fusionDepth
        self.fusion = fusion
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
    /// ready), the hits, best first, with `score` set, and the best cosine of the dense ranking. Only
    /// documents `visibility` allows are candidates: the others are dropped from each ranking before
    /// fusion and the limit.
    public func search(_ query: String, mode: RetrievalMode, limit: Int, pathPrefix: String?, visibility: DocumentVisibility)
        async throws -> SearchResult
    {
        let limit = max(1, limit)
        let dense = self.dense.withLock { $0 }
        switch mode {
        case .bm25:
            guard visibility.isRestricted else {
                return SearchResult(mode: .bm25, hits: try await store.search(query, limit: limit, pathPrefix: pathPrefix))
            }
            let ranked = try await visibleLexical(
                query, depth: min(limit * 2, Store.maximumRankingDepth), enough: limit, pathPrefix: pathPrefix,
                visibility: visibility, emptyThrows: true)
            return SearchResult(mode: .bm25, hits: try await hits(for: ranked, limit: limit, query: query, pathPrefix: pathPrefix))
        case .dense:
            guard let dense else { throw RetrievalError.denseUnavailable(unavailableReason.withLock { $0 }) }
            let hits = try await denseSearch(query, dense, limit: limit, pathPrefix: pathPrefix, visibility: visibility)
            return SearchResult(mode: .dense, hits: hits, bestCosine: hits.first?.score ?? 0)
        case .hybrid:
            guard let dense else {
                return try await search(query, mode: .bm25, limit: limit, pathPrefix: pathPrefix, visibility: visibility)
            }
            let depth = max(fusionDepth, limit)
            // The two rankings are independent: BM25 runs on a reader connection while the query is
            // embedded and the matrix scanned.
            async let lexicalRanking = visibleLexical(
                query, depth: depth, enough: limit, pathPrefix: pathPrefix, visibility: visibility, emptyThrows: false)
            async let denseRanking = denseCandidates(query, dense, limit: depth, pathPrefix: pathPrefix, visibility: visibility)
            let lexical = try await lexicalRanking
            let (vector, candidates) = try await denseRanking
            // Every candidate gets its exact cosine, including those only BM25 found.
            var cosine = Dictionary(candidates.map { ($0.id, Double($0.score)) }, uniquingKeysWith: { a, _ in a })
            let missing = lexical.map(\.id).filter { cosine[$0] == nil }
            for (id, stored) in try await store.embeddings(fingerprint: dense.encoder.fingerprint, chunkIds: missing) {
                cosine[id] = Double(Self.dot(stored, vector))
            }
            let fused: [(id: Int64, score: Double)]
            switch fusion {
            case .convex(let alpha):
                fused = RankFusion.convex(lexical: lexical, dense: cosine, alpha: alpha)
            case .reciprocalRank(let k):
                fused = RankFusion.reciprocalRank([lexical.map(\.id), candidates.map(\.id)], k: k)
            }
            return SearchResult(
                mode: .hybrid, hits: try await hits(for: fused, limit: limit, query: query, pathPrefix: pathPrefix),
                bestCosine: try await bestCosine(of: candidates, pathPrefix: pathPrefix))
        }
    }

    /// The best exact cosine among the dense candidates (best first) whose documents lie under
    /// `pathPrefix`, as the store's filter reads it (a literal prefix); 0 when none does.
    private func bestCosine(of candidates: [(id: Int64, score: Float)], pathPrefix: String?) async throws -> Double {
        guard let pathPrefix, !pathPrefix.isEmpty else { return Double(candidates.first?.score ?? 0) }
        let owners = try await store.documents(ofChunks: candidates.map(\.id))
        let best = candidates.first { owners[$0.id]?.path.utf8.starts(with: pathPrefix.utf8) ?? false }
        return Double(best?.score ?? 0)
    }

    /// BM25's ranking of the visible chunks among the best `depth` of all, best first, at most `depth`
    /// of them; read deeper (fourfold each time) while fewer than `enough` are visible and more are
    /// ranked. A plain BM25 search asks for its limit from a ranking twice as deep (most callers may
    /// read more than half of what is indexed, so one reading is usually enough). Hybrid search asks
    /// for its own limit from the fusion's usual depth: the ranking it fuses is then as deep as an
    /// unrestricted caller's, cut by the same rule, and costs the same (reading it twice as deep made
    /// the pruned ranking stop later: +10 % on a restricted hybrid search at 100,000 chunks, see
    /// docs/BENCHMARKS.md).
    private func visibleLexical(
        _ query: String, depth: Int, enough: Int, pathPrefix: String?, visibility: DocumentVisibility, emptyThrows: Bool
    ) async throws -> [(id: Int64, score: Double)] {
        var depth = min(max(depth, enough), Store.maximumRankingDepth)
        let wanted = depth
        while true {
            let ranked: [(id: Int64, score: Double)]
            do {
                ranked = try await store.rankedChunks(query, limit: depth, pathPrefix: pathPrefix)
            } catch StoreError.emptyQuery where !emptyThrows {
                return []
            }
            guard visibility.isRestricted else { return ranked }
            let visible = try await visibleOnly(ranked, visibility)
            if visible.count >= enough || ranked.count < depth || depth >= Store.maximumRankingDepth {
                return Array(visible.prefix(wanted))
            }
            depth = min(depth * 4, Store.maximumRankingDepth)
        }
    }

    /// The candidates whose documents `visibility` allows, in their order; each document is decided
    /// once however many of its chunks are there.
    private func visibleOnly<Score>(_ ranked: [(id: Int64, score: Score)], _ visibility: DocumentVisibility) async throws
        -> [(id: Int64, score: Score)]
    {
        guard visibility.isRestricted, !ranked.isEmpty else { return ranked }
        let owners = try await store.documents(ofChunks: ranked.map(\.id))
        var decided: [Int64: Bool] = [:]
        return ranked.filter { candidate in
            guard let owner = owners[candidate.id] else { return false }
            if let known = decided[owner.documentId] { return known }
            let allowed = visibility.allows(owner.path)
            decided[owner.documentId] = allowed
            return allowed
        }
    }

    /// Scans the Int8 matrix for candidates and rescores them exactly with the stored Float32
    /// vectors; returns the query's vector and the candidates, best first. A path filter widens the
    /// scan since it applies after.
    private func denseCandidates(
        _ query: String, _ dense: Dense, limit: Int, pathPrefix: String?, visibility: DocumentVisibility
    ) async throws -> (vector: [Float], candidates: [(id: Int64, score: Float)]) {
        let vector = try await dense.encoder.embedQuery(query)
        var wanted = pathPrefix == nil ? max(limit * 2, 64) : max(limit * 20, 2000)
        var candidates = dense.index.nearest(vector, k: wanted)
        if visibility.isRestricted {
            let needed = wanted / 2
            // Read deeper (fourfold each time) until enough visible candidates are left.
            while true {
                let visible = try await visibleOnly(candidates, visibility)
                if visible.count >= needed || candidates.count < wanted || wanted >= dense.index.count {
                    candidates = visible
                    break
                }
                wanted *= 4
                candidates = dense.index.nearest(vector, k: wanted)
            }
        }
        let stored = try await store.embeddings(fingerprint: dense.encoder.fingerprint, chunkIds: candidates.map(\.id))
        var rescored: [(id: Int64, score: Float)] = candidates.map { candidate in
            guard let exact = stored[candidate.id], exact.count == vector.count else { return candidate }
            return (candidate.id, Self.dot(exact, vector))
        }
        rescored.sort { $0.score > $1.score }
        return (vector, rescored)
    }

    private func denseSearch(
        _ query: String, _ dense: Dense, limit: Int, pathPrefix: String?, visibility: DocumentVisibility
    ) async throws -> [StoredHit] {
        let (_, rescored) = try await denseCandidates(query, dense, limit: limit, pathPrefix: pathPrefix, visibility: visibility)
        return try await hits(for: rescored.map { ($0.id, Double($0.score)) }, limit: limit, query: query, pathPrefix: pathPrefix)
    }

    /// The hits for the best of `ranked`, at most `limit`, scored. Text and snippets are fetched for
    /// the hits returned only (a snippet costs a full-text lookup), again for the next ones while
    /// chunks deleted since the ranking leave gaps. A path filter may drop any candidate, so with one
    /// they are all fetched at once.
    private func hits(for ranked: [(id: Int64, score: Double)], limit: Int, query: String, pathPrefix: String?) async throws
        -> [StoredHit]
    {
        let score = Dictionary(ranked.map { ($0.id, $0.score) }, uniquingKeysWith: { a, _ in a })
        var found: [StoredHit] = []
        var next = 0
        while found.count < limit, next < ranked.count {
            let take = pathPrefix == nil ? limit - found.count : ranked.count - next
            let batch = ranked[next..<min(ranked.count, next + take)].map(\.id)
            next += batch.count
            found += try await store.hits(chunkIds: batch, query: query, pathPrefix: pathPrefix)
        }
        return found.prefix(limit).map { hit in
            var hit = hit
            hit.score = score[hit.chunkId] ?? 0
            return hit
        }
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Float {
        var sum: Float = 0
        for i in 0..<min(a.count, b.count) { sum += a[i] * b[i] }
        return sum
    }
}
