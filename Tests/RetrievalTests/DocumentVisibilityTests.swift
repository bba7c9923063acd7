import Foundation
import Storage
import Testing
@testable import Retrieval

@Suite struct DocumentVisibilityTests {
    @Test func everythingAllowsEveryPath() {
        #expect(!DocumentVisibility.everything.isRestricted)
        #expect(DocumentVisibility.everything.allows("/any/path"))
        let some = DocumentVisibility { $0.hasPrefix("/mine/") }
        #expect(some.isRestricted)
        #expect(some.allows("/mine/a.md") && !some.allows("/theirs/a.md"))
    }

    /// Many unreadable documents rank above the one readable: the restricted search still fills
    /// its limit from deeper in the ranking, and shows nothing of the others in any mode.
    @Test(arguments: [RetrievalMode.bm25, .dense, .hybrid])
    func hiddenDocumentsLeaveNoTraceAndTheLimitIsFilled(mode: RetrievalMode) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("visibility-\(UUID().uuidString).sqlite").path
        let store = try Store(path: path)
        defer { try? store.close(); try? FileManager.default.removeItem(atPath: path) }
        let root = try await store.addRoot(path: "/r", include: [], exclude: [], useDefaultExcludes: true)
        var texts: [String: String] = [:]
        for index in 0..<300 { texts["/r/secret/\(index).md"] = "The tenant pays rent rent rent for the lease." }
        texts["/r/mine/lease.md"] = "A lease: the tenant pays rent, noted once among many other words here."
        texts["/r/mine/bread.md"] = "Knead the dough."
        for (path, text) in texts.sorted(by: { $0.key < $1.key }) {
            let document = DocumentRecord(
                rootId: root.id!, path: path, device: 1, inode: Int64(path.hashValue & 0xFFFF), size: Int64(text.utf8.count),
                mtimeNanoseconds: 0, contentHash: nil, status: .indexed, reason: nil, encoding: "utf-8", kind: "markdown",
                chunkCount: 1, indexedAt: Date())
            try await store.saveIndexed(document, chunks: [Chunk(ordinal: 0, text: text, byteStart: 0, byteEnd: text.utf8.count, lineStart: 1, lineEnd: 1)])
        }
        try await store.registerEmbeddingModel(fingerprint: "topics-v1", name: "topics", dimension: 3)
        let pending = try await store.chunksNeedingEmbedding(fingerprint: "topics-v1", afterId: 0, limit: 1000)
        try await store.saveEmbeddings(fingerprint: "topics-v1", pending.map { ($0.id, TopicEncoder.embed($0.text)) })
        let searcher = Searcher(store: store)
        let matrix = try await store.loadEmbeddings(fingerprint: "topics-v1", dimension: 3)
        let index = VectorIndex(dimension: 3)
        index.replaceAll(ids: matrix.ids, values: matrix.values, dimension: 3)
        searcher.enableDense(.init(encoder: TopicEncoder(), index: index))

        let mine = DocumentVisibility { $0.hasPrefix("/r/mine/") }
        let restricted = try await searcher.search("tenant rent lease", mode: mode, limit: 2, pathPrefix: nil, visibility: mine)
        #expect(restricted.hits.first?.path == "/r/mine/lease.md")
        #expect(restricted.hits.allSatisfy { $0.path.hasPrefix("/r/mine/") })
        let everything = try await searcher.search("tenant rent lease", mode: mode, limit: 2, pathPrefix: nil, visibility: .everything)
        #expect(everything.hits.contains { $0.path.hasPrefix("/r/secret/") }, "the control: unrestricted, secrets are among the best")
        let nobody = DocumentVisibility { _ in false }
        #expect(try await searcher.search("tenant rent lease", mode: mode, limit: 5, pathPrefix: nil, visibility: nobody).hits.isEmpty)
    }
}
