/// A change below a watched root, delivered in batches by `DirectoryWatcher.events`.
public enum WatchEvent: Sendable, Equatable {
    /// A file was created, written (and closed), moved in, or its attributes changed; emitted once
    /// the path has been quiet for the debounce interval.
    case changed(path: String)
    /// A file or directory was deleted or moved out; for a directory, everything below it is gone too.
    case removed(path: String)
    /// A new directory appeared (created or moved in) and is now watched with everything below it.
    /// Scan it: files may have been created in it before its watch existed.
    case directoryAdded(path: String)
    /// The kernel queue overflowed and events were lost: rescan everything.
    case overflow
    /// The inotify watch limit (`fs.inotify.max_user_watches`) was hit: this directory and what is
    /// below it are not watched; fall back to periodic rescans for it.
    case watchLimitReached(path: String)

    /// The path the event is about, if any.
    var path: String? {
        switch self {
        case .changed(let path), .removed(let path), .directoryAdded(let path), .watchLimitReached(let path):
            path
        case .overflow:
            nil
        }
    }
}
