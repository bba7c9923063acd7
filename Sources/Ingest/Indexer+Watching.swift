import Foundation
import Storage

extension Indexer {
    /// How the indexer hears of changes between full rescans.
    enum WatchState {
        /// Not watching: `[index] watch` is off, or `run()` has not started yet. Changes are found
        /// by the periodic full rescans only.
        case off
        /// inotify watches the roots but `unwatched` (on a network filesystem, past the watch limit,
        /// or refused), which are rescanned every `fallbackRescanInterval` instead.
        case watching(DirectoryWatcher, unwatched: Set<String>)
        /// inotify cannot be used at all: every root is rescanned every `fallbackRescanInterval`.
        case unavailable

        var watcher: DirectoryWatcher? {
            if case .watching(let watcher, _) = self { watcher } else { nil }
        }
    }

    /// Roots whose changes are found by fallback rescans only.
    var rootsWithoutWatches: Set<String> {
        switch watching {
        case .off: []
        case .watching(_, let unwatched): unwatched
        case .unavailable: Set(roots.keys)
        }
    }

    func startWatcher() {
        do {
            watching = .watching(try DirectoryWatcher(debounce: settings.debounce, onAttributeChange: attributeObserver), unwatched: [])
        } catch {
            record(error: "file watching is unavailable (\(error)); changes are found by periodic rescans", path: nil)
            watching = .unavailable
            return
        }
        for root in roots.values { watch(root) }
    }

    func stopWatcher() {
        watching.watcher?.stop()
    }

    /// Watches a root, or marks it for fallback rescans where watching cannot work; nothing until
    /// the watcher runs (it then watches every root).
    func watch(_ root: RootRecord) {
        guard let watcher = watching.watcher else { return }
        if MountTable.current()?.isNetworkFilesystem(root.path) == true {
            logger.info("\(root.path) is on a network filesystem; rescanning it periodically instead of watching")
            markUnwatched(root.path)
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
            markUnwatched(rootPath)
        }
    }

    func unwatch(root path: String) {
        guard case .watching(let watcher, var unwatched) = watching else { return }
        watcher.unwatch(root: path)
        unwatched.remove(path)
        watching = .watching(watcher, unwatched: unwatched)
    }

    private func markUnwatched(_ root: String) {
        guard case .watching(let watcher, var unwatched) = watching else { return }
        unwatched.insert(root)
        watching = .watching(watcher, unwatched: unwatched)
    }

    /// Queues what a batch of watcher events asks for.
    func handle(_ batch: [WatchEvent]) {
        let grace = settings.debounce * 2 + .milliseconds(500)
        for event in batch {
            switch event {
            case .changed(let path):
                guard root(containing: path) != nil else { continue }
                queue.noteChanged(path)
            case .removed(let path):
                guard root(containing: path) != nil else { continue }
                queue.noteRemoved(path, due: .now + grace)
            case .directoryAdded(let path):
                guard root(containing: path) != nil else { continue }
                queue.requestScan(subtree: path)
            case .overflow:
                logger.notice("the kernel's event queue overflowed; rescanning everything")
                queue.requestFullScan()
            case .watchLimitReached(let path):
                guard let root = root(containing: path), !rootsWithoutWatches.contains(root.path) else { continue }
                record(
                    error: "the inotify watch limit is reached under \(path) (raise fs.inotify.max_user_watches); "
                        + "\(root.path) is rescanned every \(settings.fallbackRescanInterval)", path: path)
                markUnwatched(root.path)
            }
        }
        wake.yield()
    }
}
