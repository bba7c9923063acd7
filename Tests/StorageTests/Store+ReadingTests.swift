import Foundation
import Testing
@testable import Storage

@Suite struct StoreReadingTests {
    @Test func countsTallyEveryStatus() async throws {
        try await withTemporaryStore { store in
            let first = try await addRoot(store, path: "/a")
            let second = try await addRoot(store, path: "/b")
            try await store.saveIndexed(makeDocument(rootId: first, path: "/a/1"), chunks: makeChunks(["x", "y"]))
            try await store.saveIndexed(makeDocument(rootId: second, path: "/b/1"), chunks: makeChunks(["z"]))
            try await store.saveUnindexed(makeDocument(rootId: first, path: "/a/2", status: .failed, reason: "r"))
            var quarantined = makeDocument(rootId: first, path: "/a/3", status: .failed, reason: "r")
            quarantined.crashCount = 2
            try await store.saveUnindexed(quarantined)
            var killedOnce = makeDocument(rootId: second, path: "/b/3", status: .failed, reason: "r")
            killedOnce.crashCount = 1
            try await store.saveUnindexed(killedOnce)
            try await store.saveUnindexed(makeDocument(rootId: second, path: "/b/2", status: .skipped, reason: "r"))

            var expected = StoreCounts(roots: 2, documents: 6, indexed: 2, failed: 3, skipped: 1, chunks: 3)
            expected.byFormat = ["text": 2]
            expected.quarantined = 1
            #expect(try await store.counts() == expected)
            let firstCounts = try await store.documentCounts(rootId: first)
            #expect(firstCounts.documents == 3 && firstCounts.failed == 2)
            let secondCounts = try await store.documentCounts(rootId: second)
            #expect(secondCounts.documents == 3 && secondCounts.failed == 1)
            #expect(try await store.documentSummaries().filter(\.isQuarantined).map(\.path) == ["/a/3"])
            let noneCounts = try await store.documentCounts(rootId: 999)
            #expect(noneCounts.documents == 0 && noneCounts.failed == 0)
        }
    }

    @Test func listDocumentsPagesAndCounts() async throws {
        try await withTemporaryStore { store in
            let rootId = try await addRoot(store)
            for index in 0..<7 {
                let path = "/r/doc\(index)"
                if index % 3 == 0 {
                    try await store.saveUnindexed(makeDocument(rootId: rootId, path: path, status: .failed, reason: "r"))
                } else {
                    try await store.saveIndexed(makeDocument(rootId: rootId, path: path), chunks: makeChunks(["t"]))
                }
            }
            try await store.saveIndexed(makeDocument(rootId: rootId, path: "/r_other/doc"), chunks: makeChunks(["t"]))

            let page1 = try await store.listDocuments(status: nil, pathPrefix: nil, limit: 3, offset: 0)
            #expect(page1.total == 8)
            #expect(page1.documents.map(\.path) == ["/r/doc0", "/r/doc1", "/r/doc2"])
            let page3 = try await store.listDocuments(status: nil, pathPrefix: nil, limit: 3, offset: 6)
            #expect(page3.documents.map(\.path) == ["/r/doc6", "/r_other/doc"])
            #expect(page3.total == 8)

            let failed = try await store.listDocuments(status: .failed, pathPrefix: nil, limit: 10, offset: 0)
            #expect(failed.total == 3)
            #expect(failed.documents.map(\.path) == ["/r/doc0", "/r/doc3", "/r/doc6"])

            let underR = try await store.listDocuments(status: .indexed, pathPrefix: "/r/", limit: 2, offset: 2)
            #expect(underR.total == 4)
            #expect(underR.documents.map(\.path) == ["/r/doc4", "/r/doc5"])

            let wildcard = try await store.listDocuments(status: nil, pathPrefix: "/r_", limit: 10, offset: 0)
            #expect(wildcard.documents.map(\.path) == ["/r_other/doc"])

            let beyond = try await store.listDocuments(status: nil, pathPrefix: nil, limit: 10, offset: 100)
            #expect(beyond.documents.isEmpty && beyond.total == 8)
        }
    }

    @Test func aDocumentsChunksComeInOrdinalOrder() async throws {
        try await withTemporaryStore { store in
            let rootId = try await addRoot(store)
            let id = try await store.saveIndexed(
                makeDocument(rootId: rootId, path: "/r/a"), chunks: makeChunks(["a0", "a1", "a2"]).reversed())
            #expect(try await store.chunks(documentId: id).map(\.text) == ["a0", "a1", "a2"])
        }
    }

    @Test func integrityCheckIsOkForAHealthyStore() async throws {
        try await withTemporaryStore { store in
            let rootId = try await addRoot(store)
            try await store.saveIndexed(makeDocument(rootId: rootId, path: "/r/a"), chunks: makeChunks(["one", "two"]))
            #expect(try await store.integrityCheck() == ["ok"])
        }
    }

    @Test func integrityCheckNoticesAStaleFullTextIndex() async throws {
        try await withTemporaryStore { store in
            let rootId = try await addRoot(store)
            try await store.saveIndexed(makeDocument(rootId: rootId, path: "/r/a"), chunks: makeChunks(["one", "two"]))
            try await store.execute(sql: "INSERT INTO chunk_fts(chunk_fts) VALUES ('delete-all')")
            let problems = try await store.integrityCheck()
            #expect(problems.count == 1)
            #expect(problems.first?.hasPrefix("chunk_fts:") == true)
        }
    }
}
