import Foundation
import Testing
@testable import Storage

@Suite struct StoreDocumentsTests {
    @Test func saveIndexedStoresDocumentAndChunks() async throws {
        try await withTemporaryStore { store in
            let rootId = try await addRoot(store)
            let document = makeDocument(rootId: rootId, path: "/r/a.md", inode: Int64(bitPattern: UInt64.max))
            let id = try await store.saveIndexed(document, chunks: makeChunks(["first part", "second part"], section: "Intro"))

            var expected = document
            expected.id = id
            expected.chunkCount = 2
            #expect(try await store.document(path: "/r/a.md") == expected)
            #expect(try await store.documents(rootId: rootId) == [expected])
            let chunks = try await store.chunks(documentId: id)
            #expect(chunks.map(\.text) == ["first part", "second part"])
            #expect(chunks.map(\.ordinal) == [0, 1])
            #expect(chunks.allSatisfy { $0.documentId == id && $0.section == "Intro" && $0.id != nil })
            #expect(chunks[1].byteStart == 1000 && chunks[1].lineEnd == 15)
        }
    }

    @Test func saveIndexedReplacesOldChunksAndTheIndexFollows() async throws {
        try await withTemporaryStore { store in
            let rootId = try await addRoot(store)
            let first = try await store.saveIndexed(
                makeDocument(rootId: rootId, path: "/r/a.md", contentHash: "one"),
                chunks: makeChunks(["the old zeppelin", "another zeppelin", "third"]))
            let second = try await store.saveIndexed(
                makeDocument(rootId: rootId, path: "/r/a.md", contentHash: "two"),
                chunks: makeChunks(["a new submarine"]))

            #expect(second == first)
            #expect(try await store.search("zeppelin", limit: 10, pathPrefix: nil).isEmpty)
            #expect(try await store.search("submarine", limit: 10, pathPrefix: nil).map(\.path) == ["/r/a.md"])
            let stored = try #require(try await store.document(path: "/r/a.md"))
            #expect(stored.contentHash == "two")
            #expect(stored.chunkCount == 1)
            #expect(try await store.chunks(documentId: first).map(\.text) == ["a new submarine"])
            #expect(try await store.integrityCheck() == ["ok"])
        }
    }

    @Test func saveUnindexedRemovesChunks() async throws {
        try await withTemporaryStore { store in
            let rootId = try await addRoot(store)
            let id = try await store.saveIndexed(makeDocument(rootId: rootId, path: "/r/a.pdf"), chunks: makeChunks(["quasar"]))
            let unindexedId = try await store.saveUnindexed(
                makeDocument(rootId: rootId, path: "/r/a.pdf", status: .failed, reason: "encrypted PDF"))

            #expect(unindexedId == id)
            let stored = try #require(try await store.document(path: "/r/a.pdf"))
            #expect(stored.status == .failed)
            #expect(stored.reason == "encrypted PDF")
            #expect(stored.chunkCount == 0)
            #expect(try await store.chunks(documentId: id).isEmpty)
            #expect(try await store.search("quasar", limit: 10, pathPrefix: nil).isEmpty)
            #expect(try await store.integrityCheck() == ["ok"])
        }
    }

    @Test func saveUnindexedInsertsNewDocuments() async throws {
        try await withTemporaryStore { store in
            let rootId = try await addRoot(store)
            let id = try await store.saveUnindexed(
                makeDocument(rootId: rootId, path: "/r/huge.bin", status: .skipped, reason: "binary"))
            let stored = try #require(try await store.document(path: "/r/huge.bin"))
            #expect(stored.id == id)
            #expect(stored.status == .skipped)
            #expect(stored.reason == "binary")
        }
    }

    @Test func moveDocumentKeepsChunksAndSearchShowsTheNewPath() async throws {
        try await withTemporaryStore { store in
            let rootId = try await addRoot(store)
            let id = try await store.saveIndexed(makeDocument(rootId: rootId, path: "/r/old.txt"), chunks: makeChunks(["narwhal"]))
            let chunksBefore = try await store.chunks(documentId: id)

            try await store.moveDocument(id: id, to: "/r/new.txt", device: 7, inode: 8, size: 9, mtimeNanoseconds: 10)

            #expect(try await store.document(path: "/r/old.txt") == nil)
            let moved = try #require(try await store.document(path: "/r/new.txt"))
            #expect(moved.id == id)
            let stat: [Int64] = [moved.device, moved.inode, moved.size, moved.mtimeNanoseconds]
            #expect(stat == [7, 8, 9, 10])
            #expect(moved.chunkCount == 1)
            #expect(try await store.chunks(documentId: id) == chunksBefore)
            #expect(try await store.search("narwhal", limit: 10, pathPrefix: nil).map(\.path) == ["/r/new.txt"])
        }
    }

    @Test func moveDocumentOntoAnExistingPathReplacesThatRow() async throws {
        try await withTemporaryStore { store in
            let rootId = try await addRoot(store)
            let moving = try await store.saveIndexed(makeDocument(rootId: rootId, path: "/r/a"), chunks: makeChunks(["otter"]))
            let replaced = try await store.saveIndexed(makeDocument(rootId: rootId, path: "/r/b"), chunks: makeChunks(["beaver"]))

            try await store.moveDocument(id: moving, to: "/r/b", device: 1, inode: 2, size: 3, mtimeNanoseconds: 4)

            #expect(try await store.document(path: "/r/b")?.id == moving)
            #expect(try await store.chunks(documentId: replaced).isEmpty)
            #expect(try await store.search("beaver", limit: 10, pathPrefix: nil).isEmpty)
            #expect(try await store.counts().documents == 1)
        }
    }

    @Test func movingAnUnknownDocumentChangesNothing() async throws {
        try await withTemporaryStore { store in
            let rootId = try await addRoot(store)
            try await store.saveIndexed(makeDocument(rootId: rootId, path: "/r/b"), chunks: makeChunks(["heron"]))
            try await store.moveDocument(id: 9999, to: "/r/b", device: 1, inode: 2, size: 3, mtimeNanoseconds: 4)
            #expect(try await store.document(path: "/r/b")?.chunkCount == 1)
        }
    }

    @Test func removeDocumentsDeletesThemAndTheirChunks() async throws {
        try await withTemporaryStore { store in
            let rootId = try await addRoot(store)
            var ids: [Int64] = []
            for index in 0..<600 {
                ids.append(try await store.saveUnindexed(makeDocument(rootId: rootId, path: "/r/skipped\(index)", status: .skipped)))
            }
            let kept = try await store.saveIndexed(makeDocument(rootId: rootId, path: "/r/kept"), chunks: makeChunks(["kept"]))
            let gone = try await store.saveIndexed(makeDocument(rootId: rootId, path: "/r/gone"), chunks: makeChunks(["gone"]))

            try await store.removeDocuments(ids: ids + [gone, 123_456])

            #expect(try await store.documents(rootId: rootId).map(\.id) == [kept])
            #expect(try await store.counts().chunks == 1)
            #expect(try await store.search("gone", limit: 10, pathPrefix: nil).isEmpty)
            #expect(try await store.integrityCheck() == ["ok"])
        }
    }

    @Test func failedSaveLeavesThePreviousDocumentIntact() async throws {
        try await withTemporaryStore { store in
            let rootId = try await addRoot(store)
            let original = makeDocument(rootId: rootId, path: "/r/a.txt", contentHash: "v1")
            let id = try await store.saveIndexed(original, chunks: makeChunks(["albatross", "pelican"]))
            let before = try await store.chunks(documentId: id)

            // Two chunks share ordinal 0: the unique index rejects the second, mid-transaction.
            let duplicate = Chunk(ordinal: 0, text: "cormorant", byteStart: 0, byteEnd: 9, lineStart: 1, lineEnd: 1)
            await #expect(throws: StoreError.self) {
                try await store.saveIndexed(
                    makeDocument(rootId: rootId, path: "/r/a.txt", contentHash: "v2"),
                    chunks: [duplicate, duplicate])
            }

            #expect(try await store.document(path: "/r/a.txt")?.contentHash == "v1")
            #expect(try await store.document(path: "/r/a.txt")?.chunkCount == 2)
            #expect(try await store.chunks(documentId: id) == before)
            #expect(try await store.search("albatross", limit: 10, pathPrefix: nil).count == 1)
            #expect(try await store.search("cormorant", limit: 10, pathPrefix: nil).isEmpty)
            #expect(try await store.integrityCheck() == ["ok"])
        }
    }

    @Test(arguments: [
        Chunk(ordinal: -1, text: "x", byteStart: 0, byteEnd: 1, lineStart: 1, lineEnd: 1),
        Chunk(ordinal: 0, text: "x", byteStart: 5, byteEnd: 1, lineStart: 1, lineEnd: 1),
        Chunk(ordinal: 0, text: "x", byteStart: 0, byteEnd: 1, lineStart: 3, lineEnd: 2),
    ])
    func invalidChunksAreRejected(chunk: Chunk) async throws {
        try await withTemporaryStore { store in
            let rootId = try await addRoot(store)
            await #expect(throws: StoreError.self) {
                try await store.saveIndexed(makeDocument(rootId: rootId, path: "/r/a"), chunks: [chunk])
            }
            #expect(try await store.document(path: "/r/a") == nil)
        }
    }

    @Test func documentUnderAnUnknownRootIsRejected() async throws {
        try await withTemporaryStore { store in
            await #expect(throws: StoreError.self) {
                try await store.saveUnindexed(makeDocument(rootId: 77, path: "/r/a", status: .skipped))
            }
            let counts = try await store.counts()
            #expect(counts.documents == 0)
        }
    }
}
