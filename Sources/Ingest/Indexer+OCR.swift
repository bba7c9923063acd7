import Extract
import Foundation
import Storage

/// OCR as its own later step: a pass surveys scans and images cheaply and leaves them in the backlog
/// (``OCRBacklog``); they are recognised one at a time once the pass is done, and never while one runs,
/// so a text file saved beside a hundred scans is searchable in seconds. What was recognised is
/// stored document by document: a restart loses at most the document being read, and the documents
/// still waiting (marked in the store) are surveyed again and recognised.
extension Indexer {
    func ocrLoop() async {
        var iterator = ocrWakeups.makeAsyncIterator()
        while !Task.isCancelled {
            // After the cheap documents: not while a pass runs, nor while work waits for one.
            if progress.state == .idle, !queue.hasWork(at: .now), let job = ocrBacklog.next() {
                await recognize(job)
                continue
            }
            guard await iterator.next() != nil else { return }
        }
    }

    /// A surveyed document's scanned pages wait for OCR.
    func leaveForOCR(_ job: OCRBacklog.Job) {
        ocrBacklog.add(job)
        ocrWake.yield()
    }

    /// Has the document of `job` read with OCR and stores it, unless it changed, vanished or was
    /// surveyed again meanwhile (the pass that saw that takes care of it).
    func recognize(_ job: OCRBacklog.Job) async {
        let path = job.file.path
        guard let documentExtractor, roots[job.root.path]?.id == job.root.id else { return }
        ocrJob = job
        ocrProgress.currentPath = path
        defer {
            ocrJob = nil
            ocrProgress.currentPath = nil
        }
        let maxFileSize = settings.maxFileSize
        let opened = await offload { try? DocumentFile(path: path, maxFileSize: maxFileSize) }
        guard let document = opened, document.contentHash == job.contentHash else {
            queue.noteChanged(path)
            wake.yield()
            return
        }
        let fileName = path.split(separator: "/").last.map(String.init) ?? path
        let started = ContinuousClock.now
        let result = await documentExtractor.extract(
            descriptor: document.descriptor, format: job.format, fileName: fileName, ocr: .recognize)
        withExtendedLifetime(document) {}
        // The daemon is stopping: what was read is not stored, the document waits for the next start.
        guard !Task.isCancelled else { return }
        let elapsed = ContinuousClock.now - started
        let recognized = (try? result.get()).map(Self.recognizedPages) ?? 0
        ocrProgress.documentsDone += 1
        ocrProgress.pagesDone += max(job.pages, recognized)
        ocrProgress.pagesRecognized += recognized
        ocrProgress.seconds += Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18

        // The root's rules as they are now: a file forgotten meanwhile (`sotto forget`) is not stored.
        guard let root = roots[job.root.path], root.id == job.root.id, ocrBacklog.job(for: path) == nil,
            await isCurrent(job.file, in: root)
        else { return }
        var killed = false
        if case .failure(let error) = result { killed = error.killedExtractor }
        await storeExtraction(result, file: job.file, format: job.format, root: job.root, previous: job.previous, hash: job.contentHash) {
            // Read by OCR, also when it found nothing usable: not again until the content changes. A
            // document that killed the extractor is tried once more, then quarantined, as any.
            $0.ocrPendingPages = nil
            $0.ocrPages = killed ? nil : recognized
        }
    }

    /// Pages (or images) of `document` whose text came from OCR.
    static func recognizedPages(_ document: ExtractedDocument) -> Int {
        Set(document.parts.filter(\.isOCR).map { $0.page ?? 0 }).count
    }

    /// `file` is still there as the survey found it (same inode, size and mtime), and still one the
    /// root's rules index.
    func isCurrent(_ file: DiscoveredFile, in root: RootRecord) async -> Bool {
        let walker = FileWalker(root: root.path, rules: Self.rules(for: root, maxFileSize: settings.maxFileSize))
        guard case .success(let now)? = await offload({ walker.stat(file: file.path) }) else { return false }
        return now == file
    }

    /// Drops the waiting jobs of `root` its rules no longer index (a path forgotten, an exclude added).
    func dropExcludedOCR(of root: RootRecord) async {
        let rules = Self.rules(for: root, maxFileSize: settings.maxFileSize)
        let walker = FileWalker(root: root.path, rules: rules)
        for path in ocrBacklog.paths(under: root.path) {
            if await offload({ walker.stat(file: path) }) == nil { ocrBacklog.remove(path: path) }
        }
    }
}
