/// Why a `DirectoryWatcher` could not start or could not watch a root.
public enum WatcherError: Error, Sendable, Equatable {
    /// `inotify_init1` failed (no inotify in this kernel, or `fs.inotify.max_user_instances` reached).
    case inotifyUnavailable(reason: String)
    /// The root itself cannot be watched (missing, not a directory, no permission).
    case cannotWatch(path: String, reason: String)
    /// The watcher was stopped; make a new one.
    case stopped

    /// What went wrong and what to do about it.
    public var message: String {
        switch self {
        case .inotifyUnavailable(let reason):
            "cannot start watching files (inotify: \(reason)); raise fs.inotify.max_user_instances or rely on periodic rescans"
        case .cannotWatch(let path, let reason):
            "cannot watch \(path): \(reason); check that the folder exists and is readable, or remove it from the configured roots"
        case .stopped:
            "the directory watcher has been stopped; create a new one to watch again"
        }
    }
}
