import Foundation
import Testing
@testable import Storage

@Suite struct StoreSearchTests {
    @Test func chunksMatchingMoreTermsRankFirst() async throws {
        try await withTemporaryStore { store in
            let rootId = try await addRoot(store)
            try await store.saveIndexed(makeDocument(rootId: rootId, path: "/r/one"), chunks: makeChunks(["apple grape melon"]))
            try await store.saveIndexed(makeDocument(rootId: rootId, path: "/r/three"), chunks: makeChunks(["apple banana cherry"]))
            try await store.saveIndexed(makeDocument(rootId: rootId, path: "/r/two"), chunks: makeChunks(["apple banana grape"]))
            try await store.saveIndexed(makeDocument(rootId: rootId, path: "/r/none"), chunks: makeChunks(["kiwi lime plum"]))

            let hits = try await store.search("apple banana cherry", limit: 10, pathPrefix: nil)
            #expect(hits.map(\.path) == ["/r/three", "/r/two", "/r/one"])
            #expect(hits.allSatisfy { $0.score > 0 })
            #expect(zip(hits, hits.dropFirst()).allSatisfy { $0.score >= $1.score })
        }
    }

    @Test func hitsCarryTheirChunk() async throws {
        try await withTemporaryStore { store in
            let rootId = try await addRoot(store)
            let chunk = Chunk(
                ordinal: 3, text: "an estuary at dusk", section: "Coast", byteStart: 40, byteEnd: 58,
                lineStart: 4, lineEnd: 6, page: 2)
            let id = try await store.saveIndexed(makeDocument(rootId: rootId, path: "/r/a.pdf"), chunks: [chunk])
            let hit = try #require(try await store.search("estuary", limit: 10, pathPrefix: nil).first)
            let stored = try #require(try await store.chunks(documentId: id).first)
            #expect(hit.chunkId == stored.id)
            #expect(hit.documentId == id)
            #expect(hit.path == "/r/a.pdf")
            #expect(hit.ordinal == 3)
            #expect(hit.text == "an estuary at dusk")
            #expect(hit.section == "Coast")
            let ranges: [Int] = [hit.byteStart, hit.byteEnd, hit.lineStart, hit.lineEnd]
            #expect(ranges == [40, 58, 4, 6])
            #expect(hit.page == 2)
        }
    }

    @Test func sectionHeadingsAreSearched() async throws {
        try await withTemporaryStore { store in
            let rootId = try await addRoot(store)
            try await store.saveIndexed(
                makeDocument(rootId: rootId, path: "/r/a.md"), chunks: makeChunks(["nothing relevant"], section: "Glaciers"))
            #expect(try await store.search("glaciers", limit: 10, pathPrefix: nil).map(\.path) == ["/r/a.md"])
        }
    }

    @Test func stemmingAndDiacriticsAreFolded() async throws {
        try await withTemporaryStore { store in
            let rootId = try await addRoot(store)
            try await store.saveIndexed(makeDocument(rootId: rootId, path: "/r/a"), chunks: makeChunks(["She jumps into the café"]))
            #expect(try await store.search("jumping", limit: 10, pathPrefix: nil).count == 1)
            #expect(try await store.search("CAFE", limit: 10, pathPrefix: nil).count == 1)
        }
    }

    @Test func highlightsPointAtTheMatchedWords() async throws {
        try await withTemporaryStore { store in
            let rootId = try await addRoot(store)
            let text = "Crème brûlée 🍮: the quick fox jumps over the lazy dog"
            try await store.saveIndexed(makeDocument(rootId: rootId, path: "/r/a"), chunks: makeChunks([text]))

            let hit = try #require(try await store.search("dog, jumping? brulee", limit: 10, pathPrefix: nil).first)
            #expect(hit.snippet == text)
            let scalars = Array(hit.snippet.unicodeScalars)
            let words = hit.highlights.map { range in
                String(String.UnicodeScalarView(scalars[range]))
            }
            #expect(words == ["brûlée", "jumps", "dog"])
            #expect(!hit.snippet.unicodeScalars.contains(SnippetMarkup.open))
        }
    }

    @Test func longChunksGetAShortSnippet() async throws {
        try await withTemporaryStore { store in
            let rootId = try await addRoot(store)
            let filler = Array(repeating: "filler", count: 200).joined(separator: " ")
            try await store.saveIndexed(
                makeDocument(rootId: rootId, path: "/r/a"), chunks: makeChunks([filler + " kingfisher " + filler]))
            let hit = try #require(try await store.search("kingfisher", limit: 10, pathPrefix: nil).first)
            #expect(hit.snippet.count < 400)
            #expect(hit.snippet.contains("…"))
            let scalars = Array(hit.snippet.unicodeScalars)
            #expect(hit.highlights.map { String(String.UnicodeScalarView(scalars[$0])) } == ["kingfisher"])
        }
    }

    @Test(arguments: [
        ("/r/100%", ["/r/100%/a"]),
        ("/r/a_b", ["/r/a_b/x"]),
        ("/r/", ["/r/100%/a", "/r/100x/a", "/r/aXb/x", "/r/a_b/x"]),
        ("/R/", []),
    ])
    func pathPrefixMatchesLiterally(prefix: String, expected: [String]) async throws {
        try await withTemporaryStore { store in
            let rootId = try await addRoot(store)
            for path in ["/r/100%/a", "/r/100x/a", "/r/a_b/x", "/r/aXb/x"] {
                try await store.saveIndexed(makeDocument(rootId: rootId, path: path), chunks: makeChunks(["puffin"]))
            }
            let hits = try await store.search("puffin", limit: 10, pathPrefix: prefix)
            #expect(hits.map(\.path).sorted() == expected)
        }
    }

    @Test func limitIsClamped() async throws {
        try await withTemporaryStore { store in
            let rootId = try await addRoot(store)
            try await store.saveIndexed(
                makeDocument(rootId: rootId, path: "/r/a"), chunks: makeChunks(Array(repeating: "gannet", count: 5)))
            #expect(try await store.search("gannet", limit: 0, pathPrefix: nil).count == 1)
            #expect(try await store.search("gannet", limit: 2, pathPrefix: nil).count == 2)
            #expect(try await store.search("gannet", limit: 1_000_000, pathPrefix: nil).count == 5)
        }
    }

    @Test(arguments: ["", "   ", "?!… --- \"\" ()", "_*_"])
    func textWithoutWordsIsAnEmptyQuery(query: String) async throws {
        try await withTemporaryStore { store in
            await #expect(throws: StoreError.emptyQuery) {
                try await store.search(query, limit: 10, pathPrefix: nil)
            }
        }
    }

    @Test(arguments: [
        "\"walrus", "walrus NEAR(tusk ivory)", "walr*", "walrus AND", "-walrus", "text:walrus",
        "section:walrus", "^walrus", "(walrus", "{text section}: walrus", "walrus OR", "NOT walrus", "'walrus'",
    ])
    func ftsSyntaxInTheQueryIsHarmless(query: String) async throws {
        try await withTemporaryStore { store in
            let rootId = try await addRoot(store)
            try await store.saveIndexed(makeDocument(rootId: rootId, path: "/r/a"), chunks: makeChunks(["a walrus on ice"]))
            let hits = try await store.search(query, limit: 10, pathPrefix: nil)
            if query != "walr*" {
                #expect(hits.map(\.path) == ["/r/a"])
            }
        }
    }

    @Test(arguments: [
        ("hello, world", "\"hello\" OR \"world\""),
        ("AND", "\"AND\""),
        ("NEAR(x y)", "\"NEAR\" OR \"x\" OR \"y\""),
        ("When does the lease end?", "\"lease\" OR \"end\""),
        ("to be or to be", "\"to\" OR \"be\" OR \"or\" OR \"to\" OR \"be\""),
        ("foo_bar-baz", "\"foo\" OR \"bar\" OR \"baz\""),
        ("C++ 2024", "\"C\" OR \"2024\""),
        ("naïve 日本語", "\"naïve\" OR \"日本語\""),
        ("cafe\u{301}!", "\"cafe\u{301}\""),
        ("say \"hi\"", "\"say\" OR \"hi\""),
    ])
    func makeFTSQueryQuotesEveryWord(text: String, expected: String) {
        #expect(Store.makeFTSQuery(text) == expected)
    }

    @Test(arguments: ["", " \t\n", "***", "\u{E000}\u{E001}"])
    func makeFTSQueryReturnsNilWithoutWords(text: String) {
        #expect(Store.makeFTSQuery(text) == nil)
    }
}

@Suite struct StorePrunedSearchTests {
    /// 120 chunks: "common" in all, "usual" in every second, "seldom" in every tenth, "unique" in one;
    /// sections on some, so both columns count.
    static func fill(_ store: Store) async throws {
        let rootId = try await addRoot(store)
        for document in 0..<12 {
            var texts: [String] = []
            for index in 0..<10 {
                let n = document * 10 + index
                var words = ["common", "filler\(n % 7)", "padding"]
                if n % 2 == 0 { words.append("usual") }
                if n % 10 == 3 { words += ["seldom", "seldom"] }
                if n == 57 { words.append("unique") }
                words += Array(repeating: "word", count: n % 5)
                texts.append(words.joined(separator: " "))
            }
            let chunks = makeChunks(texts, section: document % 3 == 0 ? "usual heading" : nil)
            try await store.saveIndexed(makeDocument(rootId: rootId, path: "/r/\(document)", inode: Int64(document)), chunks: chunks)
        }
    }

    static let forced = LexicalPruning(minimumRows: 0, postingBudget: 5, maximumPostings: 1000, sampleRows: 16)

    @Test func prunedRankingEqualsFullBM25() async throws {
        try await withTemporaryStore { store in
            try await Self.fill(store)
            for query in ["common usual seldom", "usual unique", "seldom common", "common usual", "unique"] {
                let full = try await store.rankedChunks(query, limit: 10, pathPrefix: nil, pruning: .off)
                let pruned = try await store.rankedChunks(query, limit: 10, pathPrefix: nil, pruning: Self.forced)
                #expect(pruned.map(\.id) == full.map(\.id), "\(query)")
                for (a, b) in zip(pruned, full) { #expect(abs(a.score - b.score) < 1e-9, "\(query)") }
            }
        }
    }

    @Test func withoutWideningRowsWithOnlyCommonWordsAreLeftOut() async throws {
        try await withTemporaryStore { store in
            try await Self.fill(store)
            let narrow = LexicalPruning(minimumRows: 0, postingBudget: 1, maximumPostings: 1, sampleRows: 16)
            let pruned = try await store.rankedChunks("unique common", limit: 10, pathPrefix: nil, pruning: narrow)
            // Only the chunk with the rare word matches; it is scored by both words, as bm25() does.
            let full = try await store.rankedChunks("unique common", limit: 10, pathPrefix: nil, pruning: .off)
            #expect(pruned.count == 1)
            #expect(pruned.first?.id == full.first?.id)
            #expect(abs((pruned.first?.score ?? 0) - (full.first?.score ?? 0)) < 1e-9)
        }
    }

    @Test func queriesOfOnlyCommonWordsScoreARecentWindow() async throws {
        try await withTemporaryStore { store in
            try await Self.fill(store)
            // Over 12 postings even the rarest word, "usual", is common: its frequency is estimated
            // from the last 16 rows at 60 of 120, so the window is the last fifth of the rows, 24.
            let windowed = LexicalPruning(minimumRows: 0, postingBudget: 5, maximumPostings: 12, sampleRows: 16)
            let all = try await store.rankedChunks("common usual", limit: 120, pathPrefix: nil, pruning: .off)
            let lastId = try #require(all.map(\.id).max())
            let recent = try await store.rankedChunks("common usual", limit: 5, pathPrefix: nil, pruning: windowed)
            #expect(recent.count == 5)
            #expect(recent.allSatisfy { $0.id > lastId - 24 })
            // Within the window the ranking is BM25's (both IDFs are at FTS5's floor either way).
            let expected = all.filter { $0.id > lastId - 24 }.prefix(5)
            #expect(recent.map(\.id) == expected.map(\.id))
            for (a, b) in zip(recent, expected) { #expect(abs(a.score - b.score) < 1e-9) }

            // "seldom" (12 chunks) over 6 postings: the first window holds 9 of them, fewer than the
            // limit, so it widens, here to every row.
            let narrow = LexicalPruning(minimumRows: 0, postingBudget: 5, maximumPostings: 6, sampleRows: 16)
            let widened = try await store.rankedChunks("seldom common", limit: 10, pathPrefix: nil, pruning: narrow)
            let full = try await store.rankedChunks("seldom common", limit: 10, pathPrefix: nil, pruning: .off)
            #expect(widened.count == 10)
            #expect(widened.map(\.id) == full.map(\.id))
        }
    }

    @Test func pruningKeepsThePathFilterAndUnknownWords() async throws {
        try await withTemporaryStore { store in
            try await Self.fill(store)
            let hits = try await store.search("seldom nowhereword common", limit: 50, pathPrefix: "/r/1", pruning: Self.forced)
            #expect(!hits.isEmpty)
            #expect(hits.allSatisfy { $0.path.hasPrefix("/r/1") })
            #expect(try await store.rankedChunks("nowhereword", limit: 5, pathPrefix: nil, pruning: Self.forced).isEmpty)
        }
    }

    @Test func rowCountComesFromTheFullTextTotals() async throws {
        try await withTemporaryStore { store in
            try await Self.fill(store)
            let rows = try await store.read { db in try Store.ftsRowCount(db) }
            #expect(rows == 120)
        }
    }

    @Test func varintsDecodeAsSQLiteWritesThem() {
        #expect(Store.varint(Data([0x05])) == 5)
        #expect(Store.varint(Data([0x81, 0x00])) == 128)
        #expect(Store.varint(Data([0x83, 0xE8, 0x07])) == 0xF407)
        #expect(Store.varint(Data([0x80])) == nil)
        #expect(Store.varint(Data(repeating: 0xFF, count: 9)) == UInt64.max)
    }

    @Test func idfMatchesFTS5AndIsFloored() {
        #expect(abs(LexicalScorer.idf(rows: 100, documentFrequency: 10) - log(90.5 / 10.5)) < 1e-12)
        #expect(LexicalScorer.idf(rows: 100, documentFrequency: 80) == 1e-6)
    }
}
