/// The work waiting for the indexer's next pass: full scans, scans of one root or of a new
/// directory, changed paths, and removals and retries that fall due later. A pass takes what is due
/// (``take(at:roots:)``); what arrives while it runs waits for the next one. Times come from the
/// caller, so the queue is tested without a clock.
struct IndexQueue {
    typealias Instant = ContinuousClock.Instant

    /// What one pass takes, in a deterministic order.
    struct Work: Equatable {
        /// Roots to scan whole.
        var roots: [String] = []
        /// Directories to scan, none inside a root scanned whole.
        var subtrees: [String] = []
        /// Files reported changed, and retries that are due.
        var changed: [String] = []
        /// Paths reported gone whose grace period is over.
        var removals: [String] = []
        /// Whether every root is scanned (a full rescan, not a scan of each root by request).
        var isFullScan = false
    }

    private var isFullScanRequested = false
    private var roots: Set<String> = []
    private var subtrees: Set<String> = []
    private var changed: Set<String> = []
    /// Paths reported gone, removed once due: a rename shows up as a removal followed (after the
    /// debounce) by a new path with the same inode, and waiting lets the pair become a move.
    private var removals: [String: Instant] = [:]
    /// Files that could not be opened for want of a descriptor, tried again when due.
    private var retries: [String: Instant] = [:]

    mutating func requestFullScan() { isFullScanRequested = true }
    mutating func requestScan(root: String) { roots.insert(root) }
    mutating func requestScan(subtree: String) { subtrees.insert(subtree) }
    mutating func requestScan(roots more: some Sequence<String>) { roots.formUnion(more) }
    mutating func noteChanged(_ path: String) { changed.insert(path) }
    mutating func noteRemoved(_ path: String, due: Instant) { removals[path] = due }
    mutating func retry(_ path: String, at due: Instant) { retries[path] = due }

    /// Paths whose removal is waiting: the old halves a new path may turn into a move.
    var pendingRemovals: [String] { removals.keys.sorted() }

    /// The path came back under another name (a move): it is not removed.
    mutating func cancelRemoval(of path: String) { removals[path] = nil }

    /// Drops all work for `root` and the paths under it (the root was removed).
    mutating func dropWork(under root: String) {
        let inside = { (path: String) in path == root || path.hasPrefix(root + "/") }
        roots.remove(root)
        subtrees = subtrees.filter { !inside($0) }
        changed = changed.filter { !inside($0) }
        removals = removals.filter { !inside($0.key) }
        retries = retries.filter { !inside($0.key) }
    }

    func hasWork(at now: Instant) -> Bool {
        isFullScanRequested || !roots.isEmpty || !subtrees.isEmpty || !changed.isEmpty
            || removals.values.contains { $0 <= now } || retries.values.contains { $0 <= now }
    }

    /// When a removal or a retry falls due, if any waits.
    var nextDeadline: Instant? { (Array(removals.values) + Array(retries.values)).min() }

    /// Items waiting, due or not, for `/v1/status`.
    var count: Int {
        changed.count + subtrees.count + roots.count + (isFullScanRequested ? 1 : 0) + removals.count + retries.count
    }

    /// Takes the work that is due at `now` for the roots that exist (`known`); the rest stays.
    mutating func take(at now: Instant, roots known: Set<String>) -> Work {
        var work = Work(isFullScan: isFullScanRequested)
        let scanned = isFullScanRequested ? known : roots.intersection(known)
        work.roots = scanned.sorted()
        work.subtrees = subtrees.filter { subtree in
            !scanned.contains { subtree == $0 || subtree.hasPrefix($0 + "/") }
        }.sorted()
        let dueRetries = retries.filter { $0.value <= now }.map(\.key)
        for path in dueRetries { retries[path] = nil }
        work.changed = changed.union(dueRetries).sorted()
        work.removals = removals.filter { $0.value <= now }.map(\.key).sorted()
        for path in work.removals { removals[path] = nil }
        isFullScanRequested = false
        roots = []
        subtrees = []
        changed = []
        return work
    }
}
