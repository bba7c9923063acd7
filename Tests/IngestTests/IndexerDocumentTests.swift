import Extract
import Foundation
import Logging
import Storage
import Synchronization
import Testing
@testable import Ingest

/// Documents read through the extractor port: chunks with pages and parts, failures with reasons,
/// and the quarantine of a file that killed the extractor twice.
@Suite struct IndexerDocumentTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("indexer-doc-\(UUID().uuidString.prefix(8))")

    /// Answers from the file's bytes, in-process; counts the calls per file name.
    final class FakeExtractor: DocumentExtracting {
        let calls = Mutex<[String: Int]>([:])
        let fingerprint: String

        init(fingerprint: String = "fake 1") {
            self.fingerprint = fingerprint
        }

        var ocrPageLimit: Int? { nil }

        func extract(
            descriptor: Int32, format: DocumentFormat, fileName: String, ocr: OCRMode
        ) async -> Result<ExtractedDocument, DocumentExtractionError> {
            calls.withLock { $0[fileName, default: 0] += 1 }
            var bytes = [UInt8](repeating: 0, count: 4096)
            let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            let content = String(decoding: bytes.prefix(max(0, count)), as: UTF8.self)
            if content.hasPrefix("CRASH") { return .failure(.crashed(signal: "SIGSEGV")) }
            if content.hasPrefix("LOCKED") { return .failure(.unreadable(ExtractionFailure(.encrypted, "the PDF needs a password"))) }
            // "page one text|page two text": one part per page.
            var text = "# Contract\n\n"
            var parts: [DocumentPart] = []
            for (index, page) in content.split(separator: "|").enumerated() {
                let start = text.utf8.count
                text += page.trimmingCharacters(in: .whitespacesAndNewlines)
                parts.append(DocumentPart(start: start, end: text.utf8.count, page: index + 1))
                text += "\n\n"
            }
            return .success(ExtractedDocument(format: format, extractor: "fake", text: text, parts: parts, pageCount: parts.count))
        }

        func count(_ name: String) -> Int { calls.withLock { $0[name] ?? 0 } }
    }

    func write(_ text: String, to name: String) throws -> String {
        let root = directory.appendingPathComponent("root")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try text.write(to: root.appendingPathComponent(name), atomically: false, encoding: .utf8)
        return root.path
    }

    /// One indexer run over the same database until `body` returns: a daemon start.
    func run(
        _ extractor: FakeExtractor, settings: IndexerSettings = IndexerSettings(watch: false, rescanInterval: .zero),
        _ body: @escaping @Sendable (Indexer, Store) async throws -> Void
    ) async throws {
        try await IndexerRun.run(in: directory, extractor: extractor, settings: settings, body)
    }

    func passes(_ indexer: Indexer, atLeast count: Int) async throws -> Bool {
        try await IndexerTests.eventually { await indexer.currentProgress().completedPasses >= count }
    }

    @Test func chunksOfAnExtractedDocumentCarryTheirPages() async throws {
        let root = try write("The tenant pays the rent monthly.|The lease ends on 31 March 2027.", to: "lease.pdf")
        let extractor = FakeExtractor()
        try await run(extractor) { (indexer: Indexer, store: Store) async throws in
            #expect(try await passes(indexer, atLeast: 1))
            let document = try #require(try await store.document(path: root + "/lease.pdf"))
            #expect(document.status == .indexed)
            #expect(document.format == "pdf" && document.extractor == "fake" && document.pageCount == 2)
            let hits = try await store.search("March 2027", limit: 5, pathPrefix: nil)
            let hit = try #require(hits.first)
            #expect(hit.page == 2 || hit.pageEnd == 2)
            #expect(hit.format == "pdf")
        }
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func aFailureTheExtractorExplainsIsRecordedWithItsReason() async throws {
        let root = try write("LOCKED", to: "secret.pdf")
        try await run(FakeExtractor()) { (indexer: Indexer, store: Store) async throws in
            #expect(try await passes(indexer, atLeast: 1))
            let document = try #require(try await store.document(path: root + "/secret.pdf"))
            #expect(document.status == .failed)
            #expect(document.reason == "the PDF needs a password")
            #expect(!document.isQuarantined)
        }
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func aFormatLeftOutOfTheSettingIsSkipped() async throws {
        let root = try write("text", to: "table.csv")
        let settings = IndexerSettings(watch: false, rescanInterval: .zero, formats: [.pdf])
        let extractor = FakeExtractor()
        try await run(extractor, settings: settings) { (indexer: Indexer, store: Store) async throws in
            #expect(try await passes(indexer, atLeast: 1))
            let document = try #require(try await store.document(path: root + "/table.csv"))
            #expect(document.status == .skipped)
            #expect(document.reason?.contains("[index] formats") == true)
        }
        #expect(extractor.count("table.csv") == 0)
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func aFileThatKilledTheExtractorTwiceIsQuarantinedAcrossRestartsUntilItChanges() async throws {
        let root = try write("CRASH here", to: "bomb.pdf")
        let path = root + "/bomb.pdf"
        let extractor = FakeExtractor()
        // First start: one crash, then a rescan crashes it again (failed documents are retried).
        try await run(extractor) { (indexer: Indexer, store: Store) async throws in
            #expect(try await passes(indexer, atLeast: 1))
            #expect(try await store.document(path: path)?.crashCount == 1)
            #expect(try await store.document(path: path)?.reason == "extractor crashed (SIGSEGV)")
            let target = await indexer.requestScan(root: nil)
            #expect(try await passes(indexer, atLeast: target))
            let document = try #require(try await store.document(path: path))
            #expect(document.isQuarantined)
            #expect(document.status == .failed)
            #expect(document.reason?.hasPrefix("quarantined: extractor crashed (SIGSEGV)") == true)
        }
        #expect(extractor.count("bomb.pdf") == 2)

        // Second start over the same database: not read again.
        try await run(extractor) { (indexer: Indexer, store: Store) async throws in
            #expect(try await passes(indexer, atLeast: 1))
            let target = await indexer.requestScan(root: nil)
            #expect(try await passes(indexer, atLeast: target))
            #expect(try await store.document(path: path)?.isQuarantined == true)
        }
        #expect(extractor.count("bomb.pdf") == 2)

        // Touched but the same content: still quarantined, still not read.
        let later = Date().addingTimeInterval(5)
        try FileManager.default.setAttributes([.modificationDate: later], ofItemAtPath: path)
        try await run(extractor) { (indexer: Indexer, store: Store) async throws in
            #expect(try await passes(indexer, atLeast: 1))
            #expect(try await store.document(path: path)?.isQuarantined == true)
        }
        #expect(extractor.count("bomb.pdf") == 2)

        // Changed: read again, and indexed.
        _ = try write("Now a proper page about the deposit.", to: "bomb.pdf")
        try await run(extractor) { (indexer: Indexer, store: Store) async throws in
            #expect(try await passes(indexer, atLeast: 1))
            let document = try #require(try await store.document(path: path))
            #expect(document.status == .indexed)
            #expect(document.crashCount == 0)
        }
        #expect(extractor.count("bomb.pdf") == 3)
        try? FileManager.default.removeItem(at: directory)
    }

    /// A document the extractor explained it cannot read (encrypted, no text layer) costs one child,
    /// not one per scan: it is read again when its content or the extractors change.
    @Test func aDocumentTheExtractorCouldNotReadIsReadAgainOnlyWhenItOrTheExtractorsChange() async throws {
        let root = try write("LOCKED", to: "secret.pdf")
        let path = root + "/secret.pdf"
        let extractor = FakeExtractor()
        try await run(extractor) { (indexer: Indexer, store: Store) async throws in
            #expect(try await passes(indexer, atLeast: 1))
            #expect(try await store.document(path: path)?.reason == "the PDF needs a password")
            for _ in 0..<3 {
                let target = await indexer.requestScan(root: nil)
                #expect(try await passes(indexer, atLeast: target))
            }
            #expect(try await store.document(path: path)?.status == .failed)
        }
        #expect(extractor.count("secret.pdf") == 1, "three rescans read it \(extractor.count("secret.pdf") - 1) more times")

        // A restart, and the file touched with the same bytes: still its reason, still not read.
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: path)
        try await run(extractor) { (indexer: Indexer, store: Store) async throws in
            #expect(try await passes(indexer, atLeast: 1))
            let document = try #require(try await store.document(path: path))
            #expect(document.status == .failed && document.reason == "the PDF needs a password")
        }
        #expect(extractor.count("secret.pdf") == 1)

        // Other extractors (a new build, other settings) read it once.
        let upgraded = FakeExtractor(fingerprint: "fake 2")
        try await run(upgraded) { (indexer: Indexer, _: Store) async throws in
            #expect(try await passes(indexer, atLeast: 1))
            let target = await indexer.requestScan(root: nil)
            #expect(try await passes(indexer, atLeast: target))
        }
        #expect(upgraded.count("secret.pdf") == 1)

        // A new content is read.
        _ = try write("Unlocked: the deposit is 2,480 EUR.", to: "secret.pdf")
        try await run(upgraded) { (indexer: Indexer, store: Store) async throws in
            #expect(try await passes(indexer, atLeast: 1))
            #expect(try await store.document(path: path)?.status == .indexed)
        }
        #expect(upgraded.count("secret.pdf") == 2)
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func aFormatNamedAgainInTheSettingsIsReadAndOneLeftOutIsNoLongerIndexed() async throws {
        let root = try write("Month,Amount", to: "table.csv")
        _ = try write("The lease ends on 31 March 2027.", to: "lease.pdf")
        let extractor = FakeExtractor()
        try await run(extractor, settings: IndexerSettings(watch: false, rescanInterval: .zero, formats: [.pdf])) {
            (indexer: Indexer, store: Store) async throws in
            #expect(try await passes(indexer, atLeast: 1))
            #expect(try await store.document(path: root + "/table.csv")?.status == .skipped)
            #expect(try await store.document(path: root + "/lease.pdf")?.status == .indexed)
        }
        try await run(extractor, settings: IndexerSettings(watch: false, rescanInterval: .zero, formats: [.csv])) {
            (indexer: Indexer, store: Store) async throws in
            #expect(try await passes(indexer, atLeast: 1))
            #expect(try await store.document(path: root + "/table.csv")?.status == .indexed)
            let lease = try #require(try await store.document(path: root + "/lease.pdf"))
            #expect(lease.status == .skipped && lease.chunkCount == 0)
            #expect(try await store.search("March 2027", limit: 5, pathPrefix: nil).isEmpty)
        }
        #expect(extractor.count("table.csv") == 1 && extractor.count("lease.pdf") == 1)
        try? FileManager.default.removeItem(at: directory)
    }

    /// A moved PDF keeps its document, chunks and vectors: found by a rescan (the daemon was down
    /// or not watching), it is not sent to the extractor again.
    @Test func aMovedExtractedDocumentKeepsItsChunksWithoutBeingExtractedAgain() async throws {
        let root = try write("The tenant pays the rent monthly.|The lease ends on 31 March 2027.", to: "lease.pdf")
        let extractor = FakeExtractor()
        try await run(extractor) { (indexer: Indexer, store: Store) async throws in
            #expect(try await passes(indexer, atLeast: 1))
            let before = try #require(try await store.document(path: root + "/lease.pdf"))
            let chunksBefore = try await store.chunks(documentId: try #require(before.id))
            try FileManager.default.createDirectory(atPath: root + "/archive", withIntermediateDirectories: true)
            try FileManager.default.moveItem(atPath: root + "/lease.pdf", toPath: root + "/archive/lease.pdf")
            let target = await indexer.requestScan(root: nil)
            #expect(try await passes(indexer, atLeast: target))
            #expect(try await store.document(path: root + "/lease.pdf") == nil)
            let after = try #require(try await store.document(path: root + "/archive/lease.pdf"))
            #expect(after.id == before.id)
            #expect(after.status == .indexed && after.format == "pdf" && after.pageCount == 2)
            #expect(try await store.chunks(documentId: try #require(after.id)) == chunksBefore)
        }
        #expect(extractor.count("lease.pdf") == 1)
        try? FileManager.default.removeItem(at: directory)
    }

    /// The same move seen by the watcher (a removal, then a new name with the same inode).
    @Test func aMovedExtractedDocumentSeenByTheWatcherIsNotExtractedAgain() async throws {
        let root = try write("Page one.|Page two about the boiler.", to: "manual.pdf")
        let extractor = FakeExtractor()
        // The default debounce: the window in which a removal waits for its new name. At 50 ms a
        // loaded machine running every suite at once handled the removal before the new name came.
        let settings = IndexerSettings(watch: true, debounce: .milliseconds(500), rescanInterval: .zero)
        try await run(extractor, settings: settings) { (indexer: Indexer, store: Store) async throws in
            #expect(try await passes(indexer, atLeast: 1))
            let before = try #require(try await store.document(path: root + "/manual.pdf"))
            try FileManager.default.moveItem(atPath: root + "/manual.pdf", toPath: root + "/boiler manual.pdf")
            #expect(try await IndexerTests.eventually {
                let arrived = try await store.document(path: root + "/boiler manual.pdf") != nil
                let left = try await store.document(path: root + "/manual.pdf") == nil
                return arrived && left
            })
            #expect(try await store.document(path: root + "/boiler manual.pdf")?.id == before.id)
        }
        #expect(extractor.count("manual.pdf") == 1)
        #expect(extractor.count("boiler manual.pdf") == 0)
        try? FileManager.default.removeItem(at: directory)
    }

    /// A PDF renamed to a name no extractor reads is not kept as a PDF under that name.
    @Test func aDocumentRenamedOutOfItsFormatIsNotKeptAsAMove() async throws {
        let root = try write("Some page.", to: "plan.pdf")
        let extractor = FakeExtractor()
        try await run(extractor) { (indexer: Indexer, store: Store) async throws in
            #expect(try await passes(indexer, atLeast: 1))
            try FileManager.default.moveItem(atPath: root + "/plan.pdf", toPath: root + "/plan.pdf.txt")
            let target = await indexer.requestScan(root: nil)
            #expect(try await passes(indexer, atLeast: target))
            #expect(try await store.document(path: root + "/plan.pdf") == nil)
            let renamed = try #require(try await store.document(path: root + "/plan.pdf.txt"))
            // Read as what the new name is (here plain text), not kept as the PDF it was.
            #expect(renamed.format == nil && renamed.extractor == nil && renamed.pageCount == nil)
        }
        try? FileManager.default.removeItem(at: directory)
    }
}
