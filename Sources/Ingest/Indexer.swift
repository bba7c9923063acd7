import Extract
import Foundation
public import Logging
public import Storage
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Keeps the store in step with the files under the roots: full scans at start and on request,
/// watcher events in between, periodic rescans where watching is not possible.
///
/// One pass at a time: a pass takes the work queued so far (full scans, subtree scans, changed paths,
/// removals that are due), plans it against the store, and applies it one document per transaction,
/// so a crash at any point leaves every document either fully old or fully new.
public actor Indexer {
    private let store: Store
    private let settings: IndexerSettings
    private let logger: Logger
    private let extractor: TextExtractor
    /// Reads PDF, Office, HTML, e-mail… in the sandbox; nil: such files are recorded as skipped.
    private let documentExtractor: (any DocumentExtracting)?
    private let chunker: Chunker
    /// File reading and chunking run here, off the cooperative pool that serves requests.
    private let ingestQueue = DispatchQueue(label: "sotto.ingest", qos: .utility)

    private var roots: [String: RootRecord] = [:]
    private var progress = IndexerProgress()
    private var isPassRunning = false

    // Work queued for the next pass.
    private var scanAllRequested = false
    private var rootsToScan: Set<String> = []
    private var subtreesToScan: Set<String> = []
    private var changedPaths: Set<String> = []
    /// Paths reported gone, removed once due: a rename shows up as a removal followed (after the
    /// debounce) by a new path with the same inode, and waiting lets the pair become a move.
    private var pendingRemovals: [String: ContinuousClock.Instant] = [:]
    /// Files that could not be opened for want of a descriptor, tried again when due.
    private var pendingRetries: [String: ContinuousClock.Instant] = [:]

    private var watcher: DirectoryWatcher?
    /// Set when inotify could not be used at all: every root then relies on fallback rescans.
    private var isWatchingUnavailable = false
    private var unwatchedRoots: Set<String> = []
    private var lastFullScan = ContinuousClock.now
    private var lastFallbackScan = ContinuousClock.now

    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    /// Told whenever documents were stored, moved or removed (the embedding worker listens).
    private var changeObserver: (@Sendable () -> Void)?

    /// `tokenCounter` and `maxTokens` come from the encoder when one is loaded, so that chunks fit its
    /// window exactly; without one, a conservative estimate of WordPiece tokens and 256 are used.
    public init(
        store: Store, settings: IndexerSettings, logger: Logger, tokenCounter: (any TokenCounting)? = nil,
        maxTokens: Int = 256, documentExtractor: (any DocumentExtracting)? = nil
    ) {
        self.documentExtractor = documentExtractor
        self.store = store
        self.settings = settings
        self.logger = logger
        extractor = TextExtractor(maxFileSize: settings.maxFileSize)
        let target = max(16, maxTokens * 200 / 256)
        chunker = Chunker(
            maxTokens: maxTokens, targetTokens: target, overlapTokens: max(4, maxTokens / 8),
            counter: tokenCounter ?? WordPieceEstimate())
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    // MARK: - Public face

    /// Runs until cancelled: an initial full scan (which reconciles with whatever changed while the
    /// daemon was down), then watcher events and periodic rescans.
    public func run() async {
        do {
            for root in try await store.roots() { roots[root.path] = root }
        } catch {
            record(error: "cannot read the roots from the store: \(error)", path: nil)
        }
        if settings.watch { startWatcher() }
        scanAllRequested = true
        let events = watcher?.events
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.workLoop() }
            group.addTask { await self.tickLoop() }
            if let events {
                group.addTask {
                    for await batch in events { await self.handle(batch) }
                }
            }
            await group.next()
            group.cancelAll()
            self.stopWatcher()
        }
    }

    public func observeChanges(_ observer: @escaping @Sendable () -> Void) {
        changeObserver = observer
    }

    public func currentProgress() -> IndexerProgress {
        var snapshot = progress
        snapshot.queued = queuedCount
        snapshot.rootsWithoutWatches = unwatchedRoots.sorted()
        return snapshot
    }

    /// Queues a full rescan of one root (or all); returns the pass count to wait for: the rescan is
    /// done when `completedPasses` reaches it.
    public func requestScan(root: String?) -> Int {
        if let root, roots[root] != nil {
            rootsToScan.insert(root)
        } else {
            scanAllRequested = true
        }
        wake.yield()
        return progress.completedPasses + (isPassRunning ? 2 : 1)
    }

    /// A root was added to the store: watch it and scan it.
    public func rootAdded(_ root: RootRecord) -> Int {
        roots[root.path] = root
        if settings.watch { watch(root) }
        return requestScan(root: root.path)
    }

    /// A root's rules changed in the store (a forgotten path added to its excludes): later scans
    /// and changes follow them.
    public func rootChanged(_ root: RootRecord) {
        guard roots[root.path] != nil else { return }
        roots[root.path] = root
    }

    /// A root was removed from the store: stop watching it and drop its queued work.
    public func rootRemoved(path: String) {
        roots[path] = nil
        watcher?.unwatch(root: path)
        unwatchedRoots.remove(path)
        rootsToScan.remove(path)
        let inside = { (candidate: String) in candidate == path || candidate.hasPrefix(path + "/") }
        subtreesToScan = subtreesToScan.filter { !inside($0) }
        changedPaths = changedPaths.filter { !inside($0) }
        pendingRemovals = pendingRemovals.filter { !inside($0.key) }
        pendingRetries = pendingRetries.filter { !inside($0.key) }
    }

    // MARK: - Loops

    private func workLoop() async {
        var iterator = wakeups.makeAsyncIterator()
        while !Task.isCancelled {
            if hasWorkNow {
                await pass()
                continue
            }
            if let due = (Array(pendingRemovals.values) + Array(pendingRetries.values)).min() {
                try? await Task.sleep(until: min(due, .now + .seconds(2)), clock: .continuous)
                continue
            }
            guard await iterator.next() != nil else { return }
        }
    }

    /// Periodic rescans: every `rescanInterval` for all roots, every `fallbackRescanInterval` for
    /// roots that are not watched.
    private func tickLoop() async {
        // Checked a few times per interval, at most every 15 s: wakeups stay rare for a daemon that runs for weeks.
        var shortest = settings.fallbackRescanInterval
        if settings.rescanInterval > .zero { shortest = min(shortest, settings.rescanInterval) }
        let tick = min(max(shortest / 4, .milliseconds(20)), .seconds(15))
        while !Task.isCancelled {
            do { try await Task.sleep(for: tick) } catch { return }
            let now = ContinuousClock.now
            if settings.rescanInterval > .zero, now - lastFullScan >= settings.rescanInterval {
                lastFullScan = now
                scanAllRequested = true
                wake.yield()
            } else if !unwatchedRoots.isEmpty, now - lastFallbackScan >= settings.fallbackRescanInterval {
                lastFallbackScan = now
                rootsToScan.formUnion(unwatchedRoots)
                wake.yield()
            }
        }
    }

    private var hasWorkNow: Bool {
        scanAllRequested || !rootsToScan.isEmpty || !subtreesToScan.isEmpty || !changedPaths.isEmpty
            || pendingRemovals.values.contains { $0 <= .now } || pendingRetries.values.contains { $0 <= .now }
    }

    private var queuedCount: Int {
        changedPaths.count + subtreesToScan.count + rootsToScan.count + (scanAllRequested ? 1 : 0)
            + pendingRemovals.count + pendingRetries.count
    }

    // MARK: - Watching

    private func startWatcher() {
        do {
            watcher = try DirectoryWatcher(debounce: settings.debounce)
        } catch {
            record(error: "file watching is unavailable (\(error)); changes are found by periodic rescans", path: nil)
            isWatchingUnavailable = true
            unwatchedRoots = Set(roots.keys)
            return
        }
        for root in roots.values { watch(root) }
    }

    private func stopWatcher() {
        watcher?.stop()
    }

    private func watch(_ root: RootRecord) {
        guard let watcher else {
            // Before run() starts the watcher, roots are watched when it starts.
            if isWatchingUnavailable { unwatchedRoots.insert(root.path) }
            return
        }
        if Self.isNetworkFilesystem(root.path) {
            logger.info("\(root.path) is on a network filesystem; rescanning it periodically instead of watching")
            unwatchedRoots.insert(root.path)
            return
        }
        let rules = Self.rules(for: root, maxFileSize: settings.maxFileSize)
        let rootPath = root.path
        do {
            try watcher.watch(root: rootPath) { directory in
                guard directory.hasPrefix(rootPath) else { return false }
                let relative = String(directory.dropFirst(rootPath.count).drop { $0 == "/" })
                let name = directory.split(separator: "/").last.map(String.init) ?? directory
                return relative.isEmpty || !rules.isExcludedDirectory(relativePath: relative, name: name)
            }
        } catch {
            record(error: "cannot watch \(rootPath): \(error); rescanning it periodically", path: rootPath)
            unwatchedRoots.insert(rootPath)
        }
    }

    func handle(_ batch: [WatchEvent]) {
        let grace = settings.debounce * 2 + .milliseconds(500)
        for event in batch {
            switch event {
            case .changed(let path):
                guard root(containing: path) != nil else { continue }
                changedPaths.insert(path)
            case .removed(let path):
                guard root(containing: path) != nil else { continue }
                pendingRemovals[path] = .now + grace
            case .directoryAdded(let path):
                guard root(containing: path) != nil else { continue }
                subtreesToScan.insert(path)
            case .overflow:
                logger.notice("the kernel's event queue overflowed; rescanning everything")
                scanAllRequested = true
            case .watchLimitReached(let path):
                guard let root = root(containing: path) else { continue }
                if !unwatchedRoots.contains(root.path) {
                    record(
                        error: "the inotify watch limit is reached under \(path) (raise fs.inotify.max_user_watches); "
                            + "\(root.path) is rescanned every \(settings.fallbackRescanInterval)", path: path)
                    unwatchedRoots.insert(root.path)
                }
            }
        }
        wake.yield()
    }

    // MARK: - A pass

    private enum Action {
        case index(DiscoveredFile, root: RootRecord, previous: DocumentRecord?)
        /// A new path whose inode matches a document whose path is gone: moved if the content matches.
        case maybeMove(DiscoveredFile, root: RootRecord, from: DocumentRecord)
        case fail(path: String, root: RootRecord, reason: String)

        var root: RootRecord {
            switch self {
            case .index(_, let root, _), .maybeMove(_, let root, _), .fail(_, let root, _): root
            }
        }
    }

    private struct Plan {
        var actions: [Action] = []
        var unchanged = 0
        /// Documents whose files are gone; removed at the end unless a move claimed them.
        var vanished: [Int64: DocumentRecord] = [:]
    }

    private func pass() async {
        isPassRunning = true
        defer { isPassRunning = false }
        progress = IndexerProgress(
            state: .scanning, queued: 0, done: 0, total: 0, failed: 0, currentPath: nil, passStartedAt: Date(),
            completedPasses: progress.completedPasses, lastError: progress.lastError)

        // Take the queued work; anything arriving from now on is for the next pass.
        var scanRoots = scanAllRequested ? Set(roots.keys) : rootsToScan.filter { roots[$0] != nil }
        if scanAllRequested { lastFullScan = .now }
        scanAllRequested = false
        rootsToScan = []
        let subtrees = subtreesToScan.filter { subtree in !scanRoots.contains { subtree.hasPrefix($0) } }
        subtreesToScan = []
        let dueRetries = pendingRetries.filter { $0.value <= .now }.map(\.key)
        for path in dueRetries { pendingRetries[path] = nil }
        let changed = changedPaths.union(dueRetries)
        changedPaths = []
        let dueRemovals = pendingRemovals.filter { $0.value <= .now }.map(\.key)
        for path in dueRemovals { pendingRemovals[path] = nil }
        scanRoots = scanRoots.filter { roots[$0] != nil }

        var plan = Plan()
        for rootPath in scanRoots.sorted() {
            guard let root = roots[rootPath] else { continue }
            await planScan(of: root, subtree: nil, into: &plan)
        }
        for subtree in subtrees.sorted() {
            guard let root = root(containing: subtree) else { continue }
            await planScan(of: root, subtree: subtree, into: &plan)
        }
        await planChanges(changed.sorted(), into: &plan)
        await planRemovals(dueRemovals, into: &plan)

        progress.state = .indexing
        progress.total = plan.actions.count + plan.unchanged
        progress.done = plan.unchanged
        for action in plan.actions {
            if Task.isCancelled { break }
            // A source removed during the pass: the rest of its files are not read.
            if roots[action.root.path]?.id == action.root.id { await apply(action, plan: &plan) }
            progress.done += 1
        }
        if !Task.isCancelled, !plan.vanished.isEmpty {
            let ids = Array(plan.vanished.keys)
            do {
                try await store.removeDocuments(ids: ids)
                changeObserver?()
                logger.debug("removed \(ids.count) documents whose files are gone")
            } catch {
                record(error: "cannot remove documents of deleted files: \(error)", path: nil)
            }
        }
        progress.currentPath = nil
        progress.state = .idle
        if !Task.isCancelled { progress.completedPasses += 1 }
    }

    /// Compares one root (or a directory inside it) with what the store holds for it.
    private func planScan(of root: RootRecord, subtree: String?, into plan: inout Plan) async {
        progress.currentPath = subtree ?? root.path
        // A root that is not there (an unmounted drive, a network share that is down) keeps its
        // index: its files are not deleted, only out of reach. It is scanned again when it returns.
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            record(error: "the source \(root.path) is missing (unmounted?); its index is kept until it is back or removed", path: root.path)
            return
        }
        let walker = FileWalker(root: root.path, rules: Self.rules(for: root, maxFileSize: settings.maxFileSize))
        let result = await offload { subtree.map { walker.walk(subtree: $0) } ?? walker.walk() }
        guard roots[root.path]?.id == root.id else { return }  // removed while it was walked
        let stored: [DocumentRecord]
        do {
            stored = try await store.documents(rootId: root.id ?? -1)
        } catch {
            record(error: "cannot read the index of \(root.path): \(error)", path: root.path)
            return
        }
        let scope = subtree.map { $0 + "/" }
        // A subtree's own path is in scope too: a document there is a file this directory replaced.
        let inScope = stored.filter { document in scope.map { document.path.hasPrefix($0) || document.path == subtree } ?? true }
        var byPath: [String: DocumentRecord] = [:]
        for document in inScope { byPath[document.path] = document }

        var seen = Set(result.files.map(\.path))
        for problem in result.problems { seen.insert(problem.path) }
        var vanishedByInode: [InodeKey: DocumentRecord] = [:]
        for document in inScope where !seen.contains(document.path) {
            plan.vanished[document.id ?? -1] = document
            if document.status == .indexed {
                vanishedByInode[InodeKey(device: document.device, inode: document.inode)] = document
            }
        }

        for file in result.files {
            if let previous = byPath[file.path] {
                if Self.isUnchanged(file, previous) {
                    plan.unchanged += 1
                } else {
                    plan.actions.append(.index(file, root: root, previous: previous))
                }
            } else if let moved = vanishedByInode.removeValue(forKey: InodeKey(file)), moved.size == file.size {
                plan.actions.append(.maybeMove(file, root: root, from: moved))
            } else {
                plan.actions.append(.index(file, root: root, previous: nil))
            }
        }
        for problem in result.problems {
            if let previous = byPath[problem.path], previous.status != .indexed, previous.reason == problem.reason {
                plan.unchanged += 1
            } else {
                plan.actions.append(.fail(path: problem.path, root: root, reason: problem.reason))
            }
        }
    }

    /// Files the watcher reported as changed.
    private func planChanges(_ paths: [String], into plan: inout Plan) async {
        for path in paths {
            guard let root = root(containing: path) else { continue }
            let walker = FileWalker(root: root.path, rules: Self.rules(for: root, maxFileSize: settings.maxFileSize))
            let previous = try? await store.document(path: path)
            switch await offload({ walker.stat(file: path) }) {
            case nil:
                // Gone again, excluded, or not a regular file (a directory that replaced the file).
                if previous != nil, !Self.isRegularFile(path) { pendingRemovals[path] = .now }
            case .failure(let problem)?:
                plan.actions.append(.fail(path: problem.path, root: root, reason: problem.reason))
            case .success(let file)?:
                if let previous {
                    if !Self.isUnchanged(file, previous) { plan.actions.append(.index(file, root: root, previous: previous)) } else { plan.unchanged += 1 }
                } else if let moved = await pendingMoveSource(for: file) {
                    plan.actions.append(.maybeMove(file, root: root, from: moved))
                } else {
                    plan.actions.append(.index(file, root: root, previous: nil))
                }
            }
        }
    }

    /// A pending removal with the same inode as this new file: the other half of a rename.
    private func pendingMoveSource(for file: DiscoveredFile) async -> DocumentRecord? {
        for path in pendingRemovals.keys where !FileManager.default.fileExists(atPath: path) {
            guard let document = try? await store.document(path: path), document.status == .indexed else { continue }
            if InodeKey(device: document.device, inode: document.inode) == InodeKey(file), document.size == file.size {
                pendingRemovals[path] = nil
                return document
            }
        }
        return nil
    }

    /// Removals that are due: the file (or every file under the directory) is gone from the store.
    private func planRemovals(_ paths: [String], into plan: inout Plan) async {
        // A root that disappears as a whole keeps its index, as in a full scan (see planScan).
        for path in paths where roots[path] == nil {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            // A file replaced by a directory of the same name is gone as a document all the same.
            if !exists || isDirectory.boolValue, let document = try? await store.document(path: path), let id = document.id {
                plan.vanished[id] = document
            }
            guard !exists else { continue }
            var offset = 0
            while let page = try? await store.listDocuments(status: nil, pathPrefix: path + "/", limit: 1000, offset: offset),
                !page.documents.isEmpty
            {
                for document in page.documents { if let id = document.id { plan.vanished[id] = document } }
                offset += page.documents.count
            }
        }
    }

    private func apply(_ action: Action, plan: inout Plan) async {
        switch action {
        case .index(let file, let root, let previous):
            progress.currentPath = file.path
            await index(file, root: root, previous: previous)
        case .maybeMove(let file, let root, let source):
            progress.currentPath = file.path
            let extracted = await offload { [extractor] in Result { try extractor.extract(path: file.path) } }
            if case .success(let text) = extracted, text.contentHash == source.contentHash, let id = source.id {
                do {
                    try await store.moveDocument(
                        id: id, to: file.path, device: Int64(bitPattern: file.device), inode: Int64(bitPattern: file.inode),
                        size: file.size, mtimeNanoseconds: file.mtimeNanoseconds)
                    plan.vanished[id] = nil
                    logger.debug("moved \(source.path) → \(file.path)")
                    return
                } catch {
                    record(error: "cannot record the move of \(source.path) to \(file.path): \(error)", path: file.path)
                }
            }
            await index(file, root: root, previous: nil)
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
                pendingRemovals[file.path] = .now
            case .binary, .tooLarge, .unsupportedType, .notRegularFile:
                await saveUnindexed(path: file.path, root: root, file: file, status: .skipped, reason: error.message)
            case .unreadable:
                await saveUnindexed(path: file.path, root: root, file: file, status: .failed, reason: error.message)
            case .descriptorsExhausted:
                record(error: error.message, path: file.path)
                pendingRetries[file.path] = .now + .seconds(2)
            }
        case .failure(let error):
            await saveUnindexed(path: file.path, root: root, file: file, status: .failed, reason: "\(error)")
        }
    }

    private func saveUnindexed(
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
                path: file.path, root: root, file: file, status: .skipped,
                reason: "\(name) files are not read: [index] formats leaves out \(format.rawValue)"
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
            pendingRemovals[file.path] = .now
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
        if let previous, previous.isQuarantined, previous.contentHash == hash {
            await saveUnindexed(path: file.path, root: root, file: file, status: .failed, reason: previous.reason ?? "quarantined") {
                $0.format = format.rawValue
                $0.contentHash = hash
                $0.crashCount = previous.crashCount
            }
            return
        }

        let fileName = file.path.split(separator: "/").last.map(String.init) ?? file.path
        let result = await documentExtractor.extract(descriptor: document.descriptor, format: format, fileName: fileName)
        withExtendedLifetime(document) {}
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
            await saveUnindexed(path: file.path, root: root, file: file, status: status, reason: reason) {
                $0.format = format.rawValue
                $0.contentHash = hash
                $0.crashCount = crashCount
            }
        }
    }

    private func save(_ document: DocumentRecord, chunks: [Chunk], root: RootRecord) async {
        let rows = chunks.map {
            NewChunk(
                ordinal: $0.ordinal, text: $0.text, section: $0.section, byteStart: $0.byteStart, byteEnd: $0.byteEnd,
                lineStart: $0.lineStart, lineEnd: $0.lineEnd, page: $0.page, pageEnd: $0.pageEnd, part: $0.part,
                isOCR: $0.isOCR)
        }
        do {
            try await store.saveIndexed(document, chunks: rows)
            changeObserver?()
        } catch {
            guard roots[root.path] != nil else { return }  // the root was removed meanwhile
            record(error: "cannot store \(document.path): \(error)", path: document.path)
            progress.failed += 1
        }
    }

    // MARK: - Helpers

    private struct InodeKey: Hashable {
        var device: Int64
        var inode: Int64
        init(device: Int64, inode: Int64) {
            self.device = device
            self.inode = inode
        }
        init(_ file: DiscoveredFile) {
            self.init(device: Int64(bitPattern: file.device), inode: Int64(bitPattern: file.inode))
        }
    }

    /// Unchanged means same (device, inode, size, mtime) and nothing to retry: failed documents are
    /// tried again on every scan (the cause, e.g. permissions, may have been fixed without a new mtime),
    /// except quarantined ones, which killed the extractor twice.
    private static func isUnchanged(_ file: DiscoveredFile, _ document: DocumentRecord) -> Bool {
        (document.status != .failed || document.isQuarantined) && document.device == Int64(bitPattern: file.device)
            && document.inode == Int64(bitPattern: file.inode) && document.size == file.size
            && document.mtimeNanoseconds == file.mtimeNanoseconds
    }

    /// A regular file (following symbolic links) is at `path`.
    private static func isRegularFile(_ path: String) -> Bool {
        var status = Glibc.stat()
        return fstatat(AT_FDCWD, path, &status, 0) == 0 && status.st_mode & S_IFMT == S_IFREG
    }

    private func root(containing path: String) -> RootRecord? {
        roots.values.filter { path == $0.path || path.hasPrefix($0.path + "/") }.max { $0.path.count < $1.path.count }
    }

    static func rules(for root: RootRecord, maxFileSize: Int64) -> WalkRules {
        WalkRules(include: root.include, exclude: root.exclude, useDefaultExcludes: root.useDefaultExcludes, maxFileSize: maxFileSize)
    }

    private func record(error message: String, path: String?) {
        progress.lastError = IndexerProgress.Failure(at: Date(), path: path, message: message)
        logger.debug("\(message)")
    }

    private func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            ingestQueue.async { continuation.resume(returning: work()) }
        }
    }

    /// NFS, SMB/CIFS, FUSE and similar mounts may not report changes made elsewhere through inotify.
    /// The filesystem type comes from the longest mount point in /proc/self/mounts that holds the path.
    static func isNetworkFilesystem(_ path: String) -> Bool {
        guard let mounts = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8) else { return false }
        var best: (mountPoint: String, type: String)?
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 3 else { continue }
            // Spaces in mount points are written as \040.
            let mountPoint = fields[1].replacingOccurrences(of: "\\040", with: " ")
            let holds = mountPoint == "/" || path == mountPoint || path.hasPrefix(mountPoint + "/")
            if holds, mountPoint.count >= (best?.mountPoint.count ?? -1) { best = (mountPoint, String(fields[2])) }
        }
        guard let type = best?.type else { return false }
        let network: Set<String> = ["nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "ceph", "glusterfs", "davfs", "afs", "fuse"]
        return network.contains(type) || type.hasPrefix("fuse.")
    }
}
