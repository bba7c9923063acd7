import Foundation
import Testing
@testable import Storage

@Suite struct StoreRootsTests {
    @Test func addRootStoresRulesAndReturnsTheStoredRecord() async throws {
        try await withTemporaryStore { store in
            let before = Date().addingTimeInterval(-1)  // dates are stored to the millisecond
            let root = try await store.addRoot(
                path: "/home/u/notes", include: ["*.md", "docs/**"], exclude: ["drafts/**"], useDefaultExcludes: false)
            let after = Date().addingTimeInterval(1)
            #expect(root.id != nil)
            #expect(root.include == ["*.md", "docs/**"])
            #expect(root.exclude == ["drafts/**"])
            #expect(root.useDefaultExcludes == false)
            #expect(root.addedAt >= before && root.addedAt <= after)
            #expect(try await store.root(path: "/home/u/notes") == root)
            #expect(try await store.root(path: "/home/u") == nil)
        }
    }

    @Test func addingTheSameRootTwiceThrowsRootExists() async throws {
        try await withTemporaryStore { store in
            _ = try await store.addRoot(path: "/a", include: [], exclude: [], useDefaultExcludes: true)
            await #expect(throws: StoreError.rootExists("/a")) {
                try await store.addRoot(path: "/a", include: ["*"], exclude: [], useDefaultExcludes: false)
            }
            #expect(try await store.roots().count == 1)
        }
    }

    @Test func rootsAreSortedByPath() async throws {
        try await withTemporaryStore { store in
            for path in ["/c", "/a", "/b"] {
                _ = try await store.addRoot(path: path, include: [], exclude: [], useDefaultExcludes: true)
            }
            #expect(try await store.roots().map(\.path) == ["/a", "/b", "/c"])
        }
    }

    @Test func removeRootCascadesToDocumentsChunksAndIndex() async throws {
        try await withTemporaryStore { store in
            let gone = try await addRoot(store, path: "/gone")
            let kept = try await addRoot(store, path: "/kept")
            try await store.saveIndexed(makeDocument(rootId: gone, path: "/gone/a"), chunks: makeChunks(["walrus tusk", "walrus song"]))
            try await store.saveIndexed(makeDocument(rootId: gone, path: "/gone/b"), chunks: makeChunks(["walrus"]))
            try await store.saveUnindexed(makeDocument(rootId: gone, path: "/gone/c", status: .failed, reason: "bad pdf"))
            try await store.saveIndexed(makeDocument(rootId: kept, path: "/kept/a"), chunks: makeChunks(["penguin"]))

            #expect(try await store.removeRoot(path: "/gone") == 3)

            #expect(try await store.roots().map(\.path) == ["/kept"])
            #expect(try await store.documents(rootId: gone).isEmpty)
            #expect(try await store.search("walrus", limit: 10, pathPrefix: nil).isEmpty)
            #expect(try await store.search("penguin", limit: 10, pathPrefix: nil).count == 1)
            var expected = StoreCounts(roots: 1, documents: 1, indexed: 1, failed: 0, skipped: 0, chunks: 1)
            expected.byFormat = ["text": 1]
            #expect(try await store.counts() == expected)
            #expect(try await store.integrityCheck() == ["ok"])
        }
    }

    @Test func removingAnUnknownRootReturnsNil() async throws {
        try await withTemporaryStore { store in
            let removed = try await store.removeRoot(path: "/nowhere")
            #expect(removed == nil)
        }
    }
}
