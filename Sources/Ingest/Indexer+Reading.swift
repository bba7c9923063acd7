import Extract
import Foundation
import Storage

/// Carrying out a plan: reading a file into the store, recording why one was not, confirming a move.
extension Indexer {
    /// Does one action of the plan; a confirmed move takes its document out of `plan.vanished`.
    func apply(_ action: IndexPlan.Action, plan: inout IndexPlan) async {
        switch action {
        case .index(let file, let root, let previous):
            progress.currentPath = file.path
            await index(file, root: root, previous: previous)
        case .maybeMove(let file, let root, let source):
            progress.currentPath = file.path
            if await confirmMove(of: source, to: file) {
                if let id = source.id { plan.vanished[id] = nil }
            } else {
                await index(file, root: root, previous: nil)
            }
        case .fail(let path, let root, let reason):
            progress.currentPath = path
            await saveUnindexed(path: path, root: root, file: nil, status: .failed, reason: reason)
        }
    }

    /// Extracts, chunks and stores one file, replacing what the store had for its path in one transaction.
    private func index(_ file: DiscoveredFile, root: RootRecord, previous: DocumentRecord?) async {
        if let format = FileKind.documentFormat(forPath: file.path) {
            await indexDocument(file, format: format, root: root, previous: previous)
            return
        }
        let extractor = self.extractor
        let chunker = self.chunker
        let outcome: Result<(ExtractedText, [Chunk]), any Error> = await offload {
            Result {
                let text = try extractor.extract(path: file.path)
                return (text, chunker.chunks(of: text))
            }
        }
        switch outcome {
        case .success(let (text, chunks)):
            var document = DocumentRecord(
                id: nil, rootId: root.id ?? -1, path: file.path, device: Int64(bitPattern: file.device),
                inode: Int64(bitPattern: file.inode), size: file.size, mtimeNanoseconds: file.mtimeNanoseconds,
                contentHash: text.contentHash, status: .indexed, reason: nil, encoding: text.encoding.rawValue,
                kind: text.kind.rawValue, chunkCount: chunks.count, indexedAt: Date())
            if !text.replacements.isEmpty {
                let count = text.replacements.count
                document.problems = ["\(count) invalid UTF-8 sequence\(count == 1 ? " was" : "s were") replaced by U+FFFD"]
            }
            await save(document, chunks: chunks, root: root)
        case .failure(let error as ExtractionError):
            switch error {
            case .vanished:
                queue.noteRemoved(file.path, due: .now)
            case .binary, .tooLarge, .unsupportedType, .notRegularFile:
                await saveUnindexed(path: file.path, root: root, file: file, status: .skipped, reason: error.message)
            case .unreadable:
                await saveUnindexed(path: file.path, root: root, file: file, status: .failed, reason: error.message)
            case .descriptorsExhausted:
                record(error: error.message, path: file.path)
                queue.retry(file.path, at: .now + .seconds(2))
            }
        case .failure(let error):
            await saveUnindexed(path: file.path, root: root, file: file, status: .failed, reason: "\(error)")
        }
    }

    func saveUnindexed(
        path: String, root: RootRecord, file: DiscoveredFile?, status: DocumentStatus, reason: String,
        adjust: (inout DocumentRecord) -> Void = { _ in }
    ) async {
        if status == .failed {
            progress.failed += 1
            record(error: reason, path: path)
        }
        var document = DocumentRecord(
            id: nil, rootId: root.id ?? -1, path: path, device: Int64(bitPattern: file?.device ?? 0),
            inode: Int64(bitPattern: file?.inode ?? 0), size: file?.size ?? 0, mtimeNanoseconds: file?.mtimeNanoseconds ?? 0,
            contentHash: nil, status: status, reason: reason, encoding: nil, kind: nil, chunkCount: 0, indexedAt: Date())
        adjust(&document)
        do {
            try await store.saveUnindexed(document)
        } catch {
            guard roots[root.path] != nil else { return }
            record(error: "cannot record \(path): \(error)", path: path)
        }
    }

    // MARK: - Extracted documents

    /// Opens and hashes the file here, has the sandboxed extractor read it, and chunks its text as
    /// Markdown. Offsets and lines of its chunks are those of the extracted text (pages and parts
    /// locate them in the file). A document that kills the extractor twice with the same content is
    /// quarantined: recorded as failed and not read again until its content changes.
    private func indexDocument(_ file: DiscoveredFile, format: DocumentFormat, root: RootRecord, previous: DocumentRecord?) async {
        let name = FileKind.displayName(format)
        guard settings.formats.contains(format) else {
            await saveUnindexed(
                path: file.path, root: root, file: file, status: .skipped, reason: IndexPlanner.leftOutReason(format)
            ) { $0.format = format.rawValue }
            return
        }
        guard let documentExtractor else {
            await saveUnindexed(
                path: file.path, root: root, file: file, status: .skipped,
                reason: ExtractionError.unsupportedType(name).message
            ) { $0.format = format.rawValue }
            return
        }
        let maxFileSize = settings.maxFileSize
        let opened = await offload { () -> Result<DocumentFile, ExtractionError> in
            do throws(ExtractionError) { return .success(try DocumentFile(path: file.path, maxFileSize: maxFileSize)) } catch {
                return .failure(error)
            }
        }
        let document: DocumentFile
        switch opened {
        case .success(let value): document = value
        case .failure(.vanished):
            queue.noteRemoved(file.path, due: .now)
            return
        case .failure(let error):
            let status: DocumentStatus
            if case .unreadable = error { status = .failed } else { status = .skipped }
            await saveUnindexed(path: file.path, root: root, file: file, status: status, reason: error.message) {
                $0.format = format.rawValue
            }
            return
        }
        let hash = document.contentHash
        // The same bytes that killed the extractor twice, or that the same extractors explained they
        // cannot read (a file touched, copied back): that answer stands, without another child.
        if let previous, previous.contentHash == hash, previous.status != .indexed, previous.ocrPendingPages == nil,
            previous.isQuarantined || (previous.crashCount == 0 && previous.extractedWith == documentExtractor.fingerprint)
        {
            await saveUnindexed(path: file.path, root: root, file: file, status: previous.status, reason: previous.reason ?? "quarantined") {
                $0.format = format.rawValue
                $0.contentHash = hash
                $0.crashCount = previous.crashCount
                $0.extractedWith = previous.extractedWith
                $0.ocrPages = previous.ocrPages
            }
            return
        }

        let ocrLimit = format.mayNeedOCR ? documentExtractor.ocrPageLimit : nil
        if ocrLimit != nil {
            // Left for OCR already, as it is now (a rescan while it waits, or while it is read).
            let waiting = ocrBacklog.job(for: file.path) ?? ocrJob.flatMap { $0.file.path == file.path ? $0 : nil }
            if let waiting, waiting.file == file, waiting.contentHash == hash { return }
            if let previous, previous.contentHash == hash, previous.format == format.rawValue {
                if previous.ocrPages != nil, previous.status == .indexed, let id = previous.id {
                    // OCR has read these very bytes (the file was touched, or copied back): not again.
                    await keep(id, as: file)
                    return
                }
                if let pages = previous.ocrPendingPages {
                    // Surveyed by a pass the daemon did not see through (a restart): back to OCR.
                    leaveForOCR(.init(file: file, root: root, format: format, contentHash: hash, pages: pages, previous: previous))
                    return
                }
            }
        }

        let fileName = file.path.split(separator: "/").last.map(String.init) ?? file.path
        let result = await documentExtractor.extract(
            descriptor: document.descriptor, format: format, fileName: fileName, ocr: ocrLimit == nil ? .recognize : .survey)
        withExtendedLifetime(document) {}
        // The daemon is stopping (the child may have been killed for it): nothing is stored, the
        // document is read at the next start.
        guard !Task.isCancelled else { return }
        if case .success(let surveyed) = result, let awaiting = surveyed.pagesAwaitingOCR, !awaiting.isEmpty, let ocrLimit {
            // Cheap now, OCR later: a text layer is searchable before its scanned pages are read.
            let pages = min(awaiting.count, ocrLimit)
            if surveyed.text.utf8.contains(where: { $0 > 0x20 }) {
                await storeExtraction(.success(surveyed), file: file, format: format, root: root, previous: previous, hash: hash) {
                    $0.ocrPendingPages = pages
                }
            } else {
                let what = pages == 1 ? "1 page" : "\(pages) pages"
                await saveUnindexed(
                    path: file.path, root: root, file: file, status: .skipped,
                    reason: "waiting for OCR (\(what)), which reads scans after the other documents of a pass"
                ) {
                    $0.format = format.rawValue
                    $0.contentHash = hash
                    $0.pageCount = surveyed.pageCount
                    $0.ocrPendingPages = pages
                }
            }
            leaveForOCR(.init(file: file, root: root, format: format, contentHash: hash, pages: pages, previous: previous))
            return
        }
        await storeExtraction(result, file: file, format: format, root: root, previous: previous, hash: hash)
    }

    /// Records what the extractor made of a document: its chunks, or why it has none. A document
    /// that killed the extractor twice with the same content (`hash`) is quarantined.
    func storeExtraction(
        _ result: Result<ExtractedDocument, DocumentExtractionError>, file: DiscoveredFile, format: DocumentFormat,
        root: RootRecord, previous: DocumentRecord?, hash: String, adjust: @escaping (inout DocumentRecord) -> Void = { _ in }
    ) async {
        switch result {
        case .success(let extracted):
            var text = ExtractedText(
                text: extracted.text, encoding: .utf8, kind: .markdown, contentHash: hash, byteCount: extracted.text.utf8.count)
            text.parts = extracted.parts.filter { $0.start >= 0 && $0.end >= $0.start && $0.end <= text.byteCount }
            text.isExtracted = true
            let chunker = self.chunker
            let chunks = await offload { [text] in chunker.chunks(of: text) }
            var record = DocumentRecord(
                id: nil, rootId: root.id ?? -1, path: file.path, device: Int64(bitPattern: file.device),
                inode: Int64(bitPattern: file.inode), size: file.size, mtimeNanoseconds: file.mtimeNanoseconds,
                contentHash: hash, status: .indexed, reason: nil, encoding: nil, kind: format.rawValue,
                chunkCount: chunks.count, indexedAt: Date())
            record.format = format.rawValue
            record.extractor = extracted.extractor
            record.pageCount = extracted.pageCount
            record.problems = extracted.problems
            record.extractedWith = documentExtractor?.fingerprint
            adjust(&record)
            await save(record, chunks: chunks, root: root)
        case .failure(let error):
            var crashCount = 0
            if error.killedExtractor {
                crashCount = (previous?.contentHash == hash ? previous?.crashCount ?? 0 : 0) + 1
            }
            var reason = error.message
            if crashCount >= 2 {
                reason = "quarantined: \(error.message), twice; it is not read again until the file changes"
                logger.notice("\(file.path) killed the extractor twice (\(error.message)); quarantined")
            }
            var status = DocumentStatus.failed
            if case .unreadable(let failure) = error, failure.code == .unsupported { status = .skipped }
            // The extractors' answer about this content, remembered with who gave it; an extractor
            // that could not start said nothing about the document.
            let answered = if case .extractorFailed = error { false } else { true }
            let fingerprint = documentExtractor?.fingerprint
            await saveUnindexed(path: file.path, root: root, file: file, status: status, reason: reason) {
                $0.format = format.rawValue
                $0.contentHash = hash
                $0.crashCount = crashCount
                $0.extractedWith = answered ? fingerprint : nil
                adjust(&$0)
            }
        }
    }

    /// The store has document `id` for these bytes, read by OCR: it stays, under the file's new stat.
    private func keep(_ id: Int64, as file: DiscoveredFile) async {
        do {
            try await store.moveDocument(
                id: id, to: file.path, device: Int64(bitPattern: file.device), inode: Int64(bitPattern: file.inode),
                size: file.size, mtimeNanoseconds: file.mtimeNanoseconds)
        } catch {
            record(error: "cannot record \(file.path): \(error)", path: file.path)
        }
    }

    /// The file at the new path holds the bytes the document was made from (the same SHA-256, as
    /// both the text reader and the extractors record it): the document moves with its chunks and
    /// vectors, and an extracted one is not extracted again. False: read the file as new.
    private func confirmMove(of source: DocumentRecord, to file: DiscoveredFile) async -> Bool {
        guard let id = source.id, let expected = source.contentHash else { return false }
        let maxFileSize = settings.maxFileSize
        let hash = await offload { try? DocumentFile(path: file.path, maxFileSize: maxFileSize).contentHash }
        guard hash == expected else { return false }
        do {
            try await store.moveDocument(
                id: id, to: file.path, device: Int64(bitPattern: file.device), inode: Int64(bitPattern: file.inode),
                size: file.size, mtimeNanoseconds: file.mtimeNanoseconds)
            logger.debug("moved \(source.path) → \(file.path)")
            return true
        } catch {
            record(error: "cannot record the move of \(source.path) to \(file.path): \(error)", path: file.path)
            return false
        }
    }

    private func save(_ document: DocumentRecord, chunks: [Chunk], root: RootRecord) async {
        do {
            try await store.saveIndexed(document, chunks: chunks)
            changeObserver?()
        } catch {
            guard roots[root.path] != nil else { return }  // the root was removed meanwhile
            record(error: "cannot store \(document.path): \(error)", path: document.path)
            progress.failed += 1
        }
    }
}
