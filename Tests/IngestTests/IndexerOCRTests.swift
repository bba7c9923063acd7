import Extract
import Foundation
import Logging
import Storage
import Synchronization
import Testing
@testable import Ingest

/// OCR as its own later step: scans wait until the cheap documents of a pass are stored, progress
/// counts their pages, and a restart neither loses the waiting ones nor reads the finished ones again.
@Suite struct IndexerOCRTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("indexer-ocr-\(UUID().uuidString.prefix(8))")

    /// Reads "page|page|…" in-process; a page that starts with "SCAN " has no text layer: a survey
    /// lists it, OCR reads it. OCR of a file whose name is held waits until it is released (or the
    /// indexer is cancelled). Counts surveys and recognitions per file name.
    final class FakeOCRExtractor: DocumentExtracting {
        let surveys = Mutex<[String: Int]>([:])
        let recognitions = Mutex<[String: Int]>([:])
        let held = Mutex<Set<String>>([])
        var ocrPageLimit: Int? { 100 }
        var fingerprint: String { "fake ocr 1" }

        func hold(_ name: String) { held.withLock { _ = $0.insert(name) } }
        func release(_ name: String) { held.withLock { _ = $0.remove(name) } }
        func surveyed(_ name: String) -> Int { surveys.withLock { $0[name] ?? 0 } }
        func recognized(_ name: String) -> Int { recognitions.withLock { $0[name] ?? 0 } }

        func extract(
            descriptor: Int32, format: DocumentFormat, fileName: String, ocr: OCRMode
        ) async -> Result<ExtractedDocument, DocumentExtractionError> {
            var bytes = [UInt8](repeating: 0, count: 4096)
            let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            let content = String(decoding: bytes.prefix(max(0, count)), as: UTF8.self)
            switch ocr {
            case .survey: surveys.withLock { $0[fileName, default: 0] += 1 }
            case .recognize:
                recognitions.withLock { $0[fileName, default: 0] += 1 }
                while held.withLock({ $0.contains(fileName) }), !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(10))
                }
            }
            var text = ""
            var parts: [DocumentPart] = []
            var awaiting: [Int] = []
            for (index, page) in content.split(separator: "|").enumerated() {
                let isScan = page.hasPrefix("SCAN ")
                if isScan, ocr == .survey {
                    awaiting.append(index + 1)
                    continue
                }
                let start = text.utf8.count
                text += page.dropFirst(isScan ? 5 : 0).trimmingCharacters(in: .whitespacesAndNewlines)
                parts.append(DocumentPart(start: start, end: text.utf8.count, page: index + 1, isOCR: isScan))
                text += "\n\n"
            }
            var document = ExtractedDocument(format: format, extractor: "fake", text: text, parts: parts, pageCount: parts.count + awaiting.count)
            if ocr == .survey, format.mayNeedOCR { document.pagesAwaitingOCR = awaiting }
            return .success(document)
        }
    }

    func write(_ text: String, to name: String) throws -> String {
        let root = directory.appendingPathComponent("root")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try text.write(to: root.appendingPathComponent(name), atomically: false, encoding: .utf8)
        return root.path
    }

    /// One indexer run over the same database until `body` returns: a daemon start.
    func run(
        _ extractor: FakeOCRExtractor, _ body: @escaping @Sendable (Indexer, Store) async throws -> Void
    ) async throws {
        try await IndexerRun.run(in: directory, extractor: extractor, body)
    }

    func found(_ words: String, in store: Store) async throws -> [String] {
        try await store.search(words, limit: 10, pathPrefix: nil).map(\.path)
    }

    @Test func aTextFileAndATextLayerAreSearchableWhileTheScansWaitForOCR() async throws {
        let root = try write("The boiler was serviced in May.", to: "notes.md")
        _ = try write("SCAN The clinic expects you on 12 February.", to: "letter.png")
        _ = try write("The lease runs two years.|SCAN The deposit is three months of rent.", to: "lease.pdf")
        let extractor = FakeOCRExtractor()
        extractor.hold("letter.png")
        extractor.hold("lease.pdf")
        try await run(extractor) { (indexer: Indexer, store: Store) async throws in
            // The pass ends, its cheap documents stored, while OCR of the first scan is under way.
            #expect(try await IndexerTests.eventually { await indexer.currentProgress().ocr?.currentPath != nil })
            let waiting = await indexer.currentProgress()
            #expect(waiting.completedPasses >= 1 && waiting.state == .recognizing)
            #expect(waiting.ocr?.documentsToDo == 2 && waiting.ocr?.pagesToDo == 2 && waiting.ocr?.pagesDone == 0)
            #expect(try await found("boiler serviced", in: store) == [root + "/notes.md"])
            #expect(try await found("lease runs two years", in: store) == [root + "/lease.pdf"], "its text layer")
            #expect(try await found("clinic February", in: store).isEmpty)
            #expect(try await found("deposit months", in: store).isEmpty)
            let lease = try #require(try await store.document(path: root + "/lease.pdf"))
            #expect(lease.status == .indexed && lease.ocrPendingPages == 1 && lease.ocrPages == nil)
            let letter = try #require(try await store.document(path: root + "/letter.png"))
            #expect(letter.status == .skipped && letter.ocrPendingPages == 1)
            #expect(letter.reason?.hasPrefix("waiting for OCR (1 page)") == true, "\(letter.reason ?? "")")

            extractor.release("letter.png")
            extractor.release("lease.pdf")
            #expect(try await IndexerTests.eventually { await indexer.currentProgress().ocr?.isIdle == true })
            #expect(await indexer.currentProgress().state == .idle)
            let done = try #require(await indexer.currentProgress().ocr)
            #expect(done.documentsDone == 2 && done.pagesDone == 2 && done.pagesRecognized == 2 && done.pagesToDo == 0)
            #expect(try await found("clinic February", in: store) == [root + "/letter.png"])
            let hits = try await store.search("deposit months", limit: 5, pathPrefix: nil)
            #expect(hits.first?.path == root + "/lease.pdf" && hits.first?.isOCR == true && hits.first?.page == 2)
            let read = try #require(try await store.document(path: root + "/lease.pdf"))
            #expect(read.status == .indexed && read.ocrPendingPages == nil && read.ocrPages == 1)
        }
        #expect(extractor.surveyed("notes.md") == 0 && extractor.recognized("notes.md") == 0)
        #expect(extractor.surveyed("letter.png") == 1 && extractor.recognized("letter.png") == 1)
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func aRestartDuringOCRGoesOnWithTheWaitingScansAndDoesNotReadTheFinishedOnesAgain() async throws {
        let root = try write("SCAN Alpha invoice from the plumber.", to: "a.png")
        _ = try write("SCAN Bravo statement of the bank.", to: "b.png")
        _ = try write("SCAN Charlie receipt for the kettle.", to: "c.png")
        let extractor = FakeOCRExtractor()
        extractor.hold("c.png")
        // First start: a and b are read; the daemon stops while c is in OCR.
        try await run(extractor) { (indexer: Indexer, store: Store) async throws in
            #expect(try await IndexerTests.eventually { await indexer.currentProgress().ocr?.currentPath == root + "/c.png" })
            #expect(try await found("plumber invoice", in: store) == [root + "/a.png"])
            #expect(try await found("bank statement", in: store) == [root + "/b.png"])
        }
        #expect(extractor.recognized("c.png") == 1)
        let beforeRestart = extractor.surveyed("a.png") + extractor.surveyed("b.png") + extractor.surveyed("c.png")
        #expect(beforeRestart == 3)

        // Second start: only c is read, without being surveyed again; a and b are left as they are.
        extractor.release("c.png")
        try await run(extractor) { (indexer: Indexer, store: Store) async throws in
            #expect(try await IndexerTests.eventually { try await !found("kettle receipt", in: store).isEmpty })
            #expect(try await IndexerTests.eventually { await indexer.currentProgress().ocr?.isIdle == true })
            #expect(await indexer.currentProgress().ocr?.documentsDone == 1)
            #expect(try await store.document(path: root + "/c.png")?.ocrPages == 1)
        }
        #expect(extractor.recognized("a.png") == 1 && extractor.recognized("b.png") == 1 && extractor.recognized("c.png") == 2)
        #expect(extractor.surveyed("c.png") == 1)

        // Touched, the same bytes: not read by OCR again. Changed: read again.
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: root + "/a.png")
        _ = try write("SCAN Bravo statement of the bank, second quarter.", to: "b.png")
        try await run(extractor) { (indexer: Indexer, store: Store) async throws in
            #expect(try await IndexerTests.eventually { try await !found("second quarter", in: store).isEmpty })
            #expect(try await found("plumber invoice", in: store) == [root + "/a.png"])
        }
        #expect(extractor.recognized("a.png") == 1 && extractor.recognized("b.png") == 2)
        try? FileManager.default.removeItem(at: directory)
    }

    /// `sotto forget` of scans waiting for OCR (or being read): they are not read, or not stored.
    @Test func aForgottenScanIsNotReadOrStoredByOCR() async throws {
        let root = try write("SCAN Alpha invoice from the plumber.", to: "a.png")
        _ = try write("SCAN Bravo statement of the bank.", to: "b.png")
        let extractor = FakeOCRExtractor()
        extractor.hold("a.png")
        extractor.hold("b.png")
        try await run(extractor) { (indexer: Indexer, store: Store) async throws in
            #expect(try await IndexerTests.eventually { await indexer.currentProgress().ocr?.documentsToDo == 2 })
            for name in ["a.png", "b.png"] {
                let record = try #require(try await store.root(path: root))
                let updated = try #require(try await store.updateExcludes(rootPath: root, record.exclude + ["/" + name]))
                await indexer.rootChanged(updated)
                _ = try await store.forget(path: root + "/" + name)
            }
            // The one being read is still being read; the waiting one is gone from OCR's backlog.
            #expect(await indexer.currentProgress().ocr?.documentsToDo == 1)
            extractor.release("a.png")
            extractor.release("b.png")
            #expect(try await IndexerTests.eventually { await indexer.currentProgress().ocr?.isIdle == true })
            #expect(try await store.document(path: root + "/a.png") == nil)
            #expect(try await store.document(path: root + "/b.png") == nil)
            #expect(try await found("plumber invoice", in: store).isEmpty)
        }
        #expect(extractor.recognized("a.png") + extractor.recognized("b.png") == 1, "only the one already in OCR was read")
        try? FileManager.default.removeItem(at: directory)
    }
}
