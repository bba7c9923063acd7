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
/// One pass at a time: a pass takes the work queued so far (``IndexQueue``), plans it against the
/// store (``IndexPlanner``), and applies it one document per transaction, so a crash at any point
/// leaves every document either fully old or fully new.
public actor Indexer {
    let store: Store
    let settings: IndexerSettings
    let logger: Logger
    let extractor: TextExtractor
    /// Reads PDF, Office, HTML, e-mail… in the sandbox; nil: such files are recorded as skipped.
    let documentExtractor: (any DocumentExtracting)?
    let chunker: Chunker
    /// What reads documents now, for the planner: a document read otherwise is read again.
    var readers: IndexPlanner.Readers { IndexPlanner.Readers(formats: settings.formats, extractor: documentExtractor?.fingerprint) }
    /// File reading and chunking run here, off the cooperative pool that serves requests.
    private let ingestQueue = DispatchQueue(label: "sotto.ingest", qos: .utility)

    var roots: [String: RootRecord] = [:]
    /// Also the pass's state: `.idle` between passes, `.scanning` and `.indexing` during one.
    var progress = IndexerProgress()
    var queue = IndexQueue()
    var watching = WatchState.off
    /// Documents surveyed by a pass and left for OCR, and the one being recognised.
    var ocrBacklog = OCRBacklog()
    var ocrJob: OCRBacklog.Job?
    /// OCR since start; its documents and pages to do are counted from the backlog when asked.
    var ocrProgress = OCRProgress()
    /// When the last full rescan was taken; the periodic one follows `rescanInterval` after it.
    private var lastFullScan = ContinuousClock.now

    private let wakeups: AsyncStream<Void>
    let wake: AsyncStream<Void>.Continuation
    /// Told when a pass ends or OCR work arrives (the OCR loop listens).
    let ocrWakeups: AsyncStream<Void>
    let ocrWake: AsyncStream<Void>.Continuation
    /// Told whenever documents were stored, moved or removed (the embedding worker listens).
    var changeObserver: (@Sendable () -> Void)?
    /// Told at once of a watched file's or directory's permission, owner or ACL change (the
    /// daemon's cache of access decisions listens); set before `run()`.
    var attributeObserver: DirectoryWatcher.AttributeObserver?

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
        (ocrWakeups, ocrWake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
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
        queue.requestFullScan()
        let events = watching.watcher?.events
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.workLoop() }
            group.addTask { await self.ocrLoop() }
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

    /// `observer` hears of every permission, owner or ACL change the watcher sees, as it happens
    /// (not debounced): see `DirectoryWatcher.AttributeObserver`. Call before `run()`.
    public func observeAttributeChanges(_ observer: @escaping DirectoryWatcher.AttributeObserver) {
        attributeObserver = observer
    }

    public func currentProgress() -> IndexerProgress {
        var snapshot = progress
        snapshot.queued = queue.count
        snapshot.rootsWithoutWatches = rootsWithoutWatches.sorted()
        if documentExtractor?.ocrPageLimit != nil {
            var ocr = ocrProgress
            ocr.documentsToDo = ocrBacklog.count + (ocrJob == nil ? 0 : 1)
            ocr.pagesToDo = ocrBacklog.pages + (ocrJob?.pages ?? 0)
            snapshot.ocr = ocr
            if snapshot.state == .idle, !ocr.isIdle { snapshot.state = .recognizing }
        }
        return snapshot
    }

    /// Queues a full rescan of one root (or all); returns the pass count to wait for: the rescan is
    /// done when `completedPasses` reaches it.
    public func requestScan(root: String?) -> Int {
        if let root, roots[root] != nil {
            queue.requestScan(root: root)
        } else {
            queue.requestFullScan()
        }
        wake.yield()
        // A pass under way took its work already: the rescan is the next one.
        return progress.completedPasses + (progress.state == .idle ? 1 : 2)
    }

    /// A root was added to the store: watch it and scan it.
    public func rootAdded(_ root: RootRecord) -> Int {
        roots[root.path] = root
        watch(root)
        return requestScan(root: root.path)
    }

    /// A root's rules changed in the store (a forgotten path added to its excludes): later scans
    /// and changes follow them.
    public func rootChanged(_ root: RootRecord) async {
        guard roots[root.path] != nil else { return }
        roots[root.path] = root
        await dropExcludedOCR(of: root)
    }

    /// A root was removed from the store: stop watching it and drop its queued work.
    public func rootRemoved(path: String) {
        roots[path] = nil
        unwatch(root: path)
        queue.dropWork(under: path)
        ocrBacklog.drop(under: path)
    }

    // MARK: - Loops

    private func workLoop() async {
        var iterator = wakeups.makeAsyncIterator()
        while !Task.isCancelled {
            if queue.hasWork(at: .now) {
                await pass()
                continue
            }
            if let due = queue.nextDeadline {
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
        var lastFallbackScan = ContinuousClock.now
        while !Task.isCancelled {
            do { try await Task.sleep(for: tick) } catch { return }
            let now = ContinuousClock.now
            if settings.rescanInterval > .zero, now - lastFullScan >= settings.rescanInterval {
                lastFullScan = now
                queue.requestFullScan()
                wake.yield()
            } else if !rootsWithoutWatches.isEmpty, now - lastFallbackScan >= settings.fallbackRescanInterval {
                lastFallbackScan = now
                queue.requestScan(roots: rootsWithoutWatches)
                wake.yield()
            }
        }
    }

    // MARK: - A pass

    private func pass() async {
        progress = IndexerProgress(
            state: .scanning, queued: 0, done: 0, total: 0, failed: 0, currentPath: nil, passStartedAt: Date(),
            completedPasses: progress.completedPasses, lastError: progress.lastError)
        defer {
            progress.state = .idle
            // The cheap documents are done: OCR may go on with what this pass left for it.
            ocrWake.yield()
        }

        // Take the queued work; anything arriving from now on is for the next pass.
        let work = queue.take(at: .now, roots: Set(roots.keys))
        if work.isFullScan { lastFullScan = .now }

        var plan = IndexPlan()
        for rootPath in work.roots {
            guard let root = roots[rootPath] else { continue }
            await planScan(of: root, subtree: nil, into: &plan)
        }
        for subtree in work.subtrees {
            guard let root = root(containing: subtree) else { continue }
            await planScan(of: root, subtree: subtree, into: &plan)
        }
        await planChanges(work.changed, into: &plan)
        await planRemovals(work.removals, into: &plan)

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
            for document in plan.vanished.values { ocrBacklog.remove(path: document.path) }
            do {
                try await store.removeDocuments(ids: ids)
                changeObserver?()
                logger.debug("removed \(ids.count) documents whose files are gone")
            } catch {
                record(error: "cannot remove documents of deleted files: \(error)", path: nil)
            }
        }
        progress.currentPath = nil
        if !Task.isCancelled { progress.completedPasses += 1 }
    }

    /// Walks one root (or a directory inside it) and plans it against what the store holds for it.
    private func planScan(of root: RootRecord, subtree: String?, into plan: inout IndexPlan) async {
        progress.currentPath = subtree ?? root.path
        // A root that is not there (an unmounted drive, a network share that is down) keeps its
        // index: its files are not deleted, only out of reach. It is scanned again when it returns.
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            record(error: "the source \(root.path) is missing (unmounted?); its index is kept until it is back or removed", path: root.path)
            return
        }
        let walker = FileWalker(root: root.path, rules: Self.rules(for: root, maxFileSize: settings.maxFileSize))
        let walk = await offload { subtree.map { walker.walk(subtree: $0) } ?? walker.walk() }
        guard roots[root.path]?.id == root.id else { return }  // removed while it was walked
        do {
            let stored = try await store.documents(rootId: root.id ?? -1)
            IndexPlanner.plan(walk: walk, of: root, subtree: subtree, stored: stored, readers: readers, into: &plan)
        } catch {
            record(error: "cannot read the index of \(root.path): \(error)", path: root.path)
        }
    }

    /// Files the watcher reported as changed.
    private func planChanges(_ paths: [String], into plan: inout IndexPlan) async {
        for path in paths {
            guard let root = root(containing: path) else { continue }
            let walker = FileWalker(root: root.path, rules: Self.rules(for: root, maxFileSize: settings.maxFileSize))
            let previous = try? await store.document(path: path)
            switch await offload({ walker.stat(file: path) }) {
            case nil:
                // Gone again, excluded, or not a regular file (a directory that replaced the file).
                if previous != nil, !Self.isRegularFile(path) { queue.noteRemoved(path, due: .now) }
            case .failure(let problem)?:
                plan.actions.append(.fail(path: problem.path, root: root, reason: problem.reason))
            case .success(let file)?:
                let sources = previous == nil ? await pendingMoveSources() : []
                switch IndexPlanner.action(forChanged: file, root: root, previous: previous, moveSources: sources, readers: readers) {
                case nil:
                    plan.unchanged += 1
                case let action?:
                    // The old name of a move is not removed: the move takes its document.
                    if case .maybeMove(_, _, let source) = action { queue.cancelRemoval(of: source.path) }
                    plan.actions.append(action)
                }
            }
        }
    }

    /// The stored documents of paths reported gone and not removed yet, which are gone still: the
    /// old names a new file may have had.
    private func pendingMoveSources() async -> [DocumentRecord] {
        var sources: [DocumentRecord] = []
        for path in queue.pendingRemovals where !FileManager.default.fileExists(atPath: path) {
            if let document = try? await store.document(path: path) { sources.append(document) }
        }
        return sources
    }

    /// Removals that are due: the file (or every file under the directory) is gone from the store.
    private func planRemovals(_ paths: [String], into plan: inout IndexPlan) async {
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

    // MARK: - Helpers

    /// A regular file (following symbolic links) is at `path`.
    private static func isRegularFile(_ path: String) -> Bool {
        var status = Glibc.stat()
        return fstatat(AT_FDCWD, path, &status, 0) == 0 && status.st_mode & S_IFMT == S_IFREG
    }

    func root(containing path: String) -> RootRecord? {
        roots.values.filter { path == $0.path || path.hasPrefix($0.path + "/") }.max { $0.path.count < $1.path.count }
    }

    static func rules(for root: RootRecord, maxFileSize: Int64) -> WalkRules {
        WalkRules(include: root.include, exclude: root.exclude, useDefaultExcludes: root.useDefaultExcludes, maxFileSize: maxFileSize)
    }

    func record(error message: String, path: String?) {
        progress.lastError = IndexerProgress.Failure(at: Date(), path: path, message: message)
        logger.debug("\(message)")
    }

    func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            ingestQueue.async { continuation.resume(returning: work()) }
        }
    }
}
