import Foundation
import Storage
import Testing
@testable import Retrieval

/// A stand-in encoder: counts of a few topic words, normalised. Enough to make dense search
/// find by meaning what BM25 cannot find by words ("automobile" ~ "car").
struct TopicEncoder: QueryEmbedding {
    static let topics: [[String]] = [["car", "automobile", "vehicle", "engine"], ["bread", "dough", "flour", "loaf"], ["lease", "tenant", "rent"]]
    var fingerprint: String { "topics-v1" }
    var dimension: Int { Self.topics.count }
    func embedQuery(_ text: String) async throws -> [Float] { Self.embed(text) }
    static func embed(_ text: String) -> [Float] {
        let words = text.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init)
        var v = topics.map { topic in Float(words.filter(topic.contains).count) + 0.01 }
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        v = v.map { $0 / norm }
        return v
    }
}

@Suite struct SearcherTests {
    func makeStore() async throws -> (Store, [Int64: String]) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("searcher-\(UUID().uuidString).sqlite").path
        let store = try Store(path: path)
        let root = try await store.addRoot(path: "/r", include: [], exclude: [], useDefaultExcludes: true)
        let texts = ["/r/car.md": "The automobile needs a new engine.", "/r/bread.md": "Knead the dough and bake the loaf.",
                     "/r/lease.md": "The tenant pays rent monthly.", "/r/other/car2.md": "A vehicle parked outside."]
        for (path, text) in texts.sorted(by: { $0.key < $1.key }) {
            let document = DocumentRecord(
                rootId: root.id!, path: path, device: 1, inode: Int64(path.count), size: Int64(text.utf8.count),
                mtimeNanoseconds: 0, contentHash: nil, status: .indexed, reason: nil, encoding: "utf-8", kind: "markdown",
                chunkCount: 1, indexedAt: Date())
            try await store.saveIndexed(document, chunks: [Chunk(ordinal: 0, text: text, byteStart: 0, byteEnd: text.utf8.count, lineStart: 1, lineEnd: 1)])
        }
        try await store.registerEmbeddingModel(fingerprint: "topics-v1", name: "topics", dimension: 3)
        var textOfChunk: [Int64: String] = [:]
        let pending = try await store.chunksNeedingEmbedding(fingerprint: "topics-v1", afterId: 0, limit: 100)
        try await store.saveEmbeddings(fingerprint: "topics-v1", pending.map { ($0.id, TopicEncoder.embed($0.text)) })
        for chunk in pending { textOfChunk[chunk.id] = chunk.text }
        return (store, textOfChunk)
    }

    func makeSearcher(_ store: Store) async throws -> Searcher {
        let searcher = Searcher(store: store)
        let matrix = try await store.loadEmbeddings(fingerprint: "topics-v1", dimension: 3)
        let index = VectorIndex(dimension: 3)
        index.replaceAll(ids: matrix.ids, values: matrix.values, dimension: 3)
        searcher.enableDense(.init(encoder: TopicEncoder(), index: index))
        return searcher
    }

    @Test func denseFindsByMeaningWhereBM25FindsNothing() async throws {
        let (store, _) = try await makeStore()
        let searcher = try await makeSearcher(store)
        let lexical = try await searcher.search("car", mode: .bm25, limit: 5, pathPrefix: nil, visibility: .everything)
        #expect(lexical.hits.isEmpty)
        let dense = try await searcher.search("car", mode: .dense, limit: 2, pathPrefix: nil, visibility: .everything)
        #expect(dense.mode == .dense)
        #expect(Set(dense.hits.map(\.path)) == ["/r/car.md", "/r/other/car2.md"])
        #expect(dense.hits.allSatisfy { $0.score > 0.9 })
        let filtered = try await searcher.search("car", mode: .dense, limit: 5, pathPrefix: "/r/other/", visibility: .everything)
        #expect(filtered.hits.map(\.path) == ["/r/other/car2.md"])
    }

    @Test func hybridGivesTheBestCosineOfItsDenseRankingAsDenseSearchFindsIt() async throws {
        let (store, _) = try await makeStore()
        let searcher = try await makeSearcher(store)
        for (query, prefix) in [("automobile engine", nil), ("automobile engine", "/r/other/"), ("tenant", nil), ("tenant", "/r/other/")] as [(String, String?)] {
            let hybrid = try await searcher.search(query, mode: .hybrid, limit: 3, pathPrefix: prefix, visibility: .everything)
            let dense = try await searcher.search(query, mode: .dense, limit: 1, pathPrefix: prefix, visibility: .everything)
            let best = try #require(hybrid.bestCosine)
            #expect(abs(best - (dense.hits.first?.score ?? 0)) < 1e-9, "\(query) under \(prefix ?? "/")")
        }
        // Under the prefix the best car passage is the vehicle one, a weaker match than the engine's.
        let everywhere = try await searcher.search("automobile engine", mode: .hybrid, limit: 3, pathPrefix: nil, visibility: .everything)
        let underOther = try await searcher.search("automobile engine", mode: .hybrid, limit: 3, pathPrefix: "/r/other/", visibility: .everything)
        #expect(try #require(everywhere.bestCosine) > (try #require(underOther.bestCosine)))
        searcher.disableDense(reason: "test")
        #expect(try await searcher.search("tenant", mode: .hybrid, limit: 3, pathPrefix: nil, visibility: .everything).bestCosine == nil)
    }

    @Test func hybridFusesBothAndKeepsHighlights() async throws {
        let (store, _) = try await makeStore()
        let searcher = try await makeSearcher(store)
        let result = try await searcher.search("automobile engine", mode: .hybrid, limit: 3, pathPrefix: nil, visibility: .everything)
        #expect(result.mode == .hybrid)
        #expect(result.hits.first?.path == "/r/car.md")
        #expect(result.hits.first?.highlights.isEmpty == false)
        #expect(result.hits.contains { $0.path == "/r/other/car2.md" }, "found by meaning only")
    }

    @Test func withoutAnEncoderHybridIsBM25AndDenseIsAnError() async throws {
        let (store, _) = try await makeStore()
        let searcher = Searcher(store: store)
        let result = try await searcher.search("tenant", mode: .hybrid, limit: 3, pathPrefix: nil, visibility: .everything)
        #expect(result.mode == .bm25)
        #expect(result.hits.map(\.path) == ["/r/lease.md"])
        await #expect(throws: RetrievalError.self) {
            _ = try await searcher.search("tenant", mode: .dense, limit: 3, pathPrefix: nil, visibility: .everything)
        }
    }

    @Test func aDeletedChunkAmongTheBestLeavesNoGap() async throws {
        // The vector of car.md's chunk is still in the index (nothing drained it): the hits are
        // fetched for the best candidates only, and again for the next one when a chunk is gone.
        let (store, _) = try await makeStore()
        let searcher = try await makeSearcher(store)
        let before = try await searcher.search("automobile car", mode: .dense, limit: 1, pathPrefix: nil, visibility: .everything)
        #expect(before.hits.map(\.path) == ["/r/car.md"])
        let documents = try await store.listDocuments(status: nil, pathPrefix: "/r/car.md", limit: 1, offset: 0).documents
        try await store.removeDocuments(ids: documents.compactMap(\.id))
        for mode in [RetrievalMode.dense, .hybrid] {
            let after = try await searcher.search("automobile car", mode: mode, limit: 1, pathPrefix: nil, visibility: .everything)
            #expect(after.hits.map(\.path) == ["/r/other/car2.md"], "\(mode)")
        }
    }

    @Test func deletedChunksDropOutOfDenseResults() async throws {
        let (store, _) = try await makeStore()
        let searcher = try await makeSearcher(store)
        let documents = try await store.listDocuments(status: nil, pathPrefix: "/r/car.md", limit: 1, offset: 0).documents
        try await store.removeDocuments(ids: documents.compactMap(\.id))
        let dense = try await searcher.search("car", mode: .dense, limit: 5, pathPrefix: nil, visibility: .everything)
        #expect(!dense.hits.contains { $0.path == "/r/car.md" })
        #expect(try await store.drainDeletedChunks().count == 1)
        #expect(try await store.drainDeletedChunks().isEmpty)
    }
}
