import Glibc
import Synchronization

/// Watches directory trees with inotify and delivers debounced batches of `WatchEvent`s.
///
/// One reader thread per watcher polls the inotify descriptor (and a socket pair that `stop()` uses to
/// wake it), keeps the watch table in step with directories created, moved and deleted, and yields batches
/// once paths have been quiet for the debounce interval. Symlinks to directories below a root are not
/// followed; a root that is itself a symlink is. Roots must not overlap.
public final class DirectoryWatcher: Sendable {
    /// Debounced batches of events; iterate it from a single consumer. Ends after `stop()`.
    public let events: AsyncStream<[WatchEvent]>
    private let core: WatcherCore

    /// Told at once, on the reader thread, of a permission, owner or ACL change (`IN_ATTRIB`) of a
    /// watched file or directory: the path, or nil when the kernel's queue overflowed and any may
    /// have changed. Not debounced, unlike `events`: cached access decisions must not outlive it.
    /// It must be quick and must not call back into the watcher.
    public typealias AttributeObserver = @Sendable (_ path: String?) -> Void

    /// Opens an inotify instance and starts the reader thread.
    public convenience init(debounce: Duration = .milliseconds(500), onAttributeChange: AttributeObserver? = nil) throws(WatcherError) {
        try self.init(debounce: debounce, addWatch: WatcherCore.systemAddWatch, onAttributeChange: onAttributeChange)
    }

    /// `addWatch` stands in for `inotify_add_watch` (tests provoke `ENOSPC` with it): it returns the
    /// watch descriptor, or minus the errno.
    init(debounce: Duration, addWatch: @escaping WatcherCore.AddWatch, onAttributeChange: AttributeObserver? = nil) throws(WatcherError) {
        let (stream, continuation) = AsyncStream<[WatchEvent]>.makeStream()
        events = stream
        core = try WatcherCore(debounce: debounce, addWatch: addWatch, continuation: continuation, onAttributeChange: onAttributeChange)
    }

    deinit {
        core.stop()
    }

    /// Watches `root` and every directory below it for which `shouldDescend` returns true (use it to
    /// skip `.git`, `node_modules`…). Hitting the watch limit yields `.watchLimitReached` instead of
    /// throwing; this throws only if `root` itself cannot be watched. `shouldDescend` also decides
    /// for directories that appear later; it runs on the watcher's thread, possibly under its lock,
    /// so it must not call back into the watcher.
    public func watch(root: String, shouldDescend: @escaping @Sendable (_ directory: String) -> Bool) throws(WatcherError) {
        try core.watch(root: root, shouldDescend: shouldDescend)
    }

    /// Stops watching `root` and drops its pending events.
    public func unwatch(root: String) {
        core.unwatch(root: root)
    }

    /// Ends the event stream, joins the reader thread and closes the descriptors. Idempotent.
    public func stop() {
        core.stop()
    }

    /// How many directories currently have an inotify watch.
    public var watchedDirectoryCount: Int {
        core.watchedDirectoryCount
    }
}

/// The state shared by the reader thread and callers. It outlives the `DirectoryWatcher` while the
/// reader runs, so that the watcher's `deinit` can stop and join the thread.
final class WatcherCore: Sendable {
    typealias AddWatch = @Sendable (_ inotifyDescriptor: Int32, _ path: String, _ mask: UInt32) -> Int32
    typealias DescendRule = @Sendable (_ directory: String) -> Bool

    static let systemAddWatch: AddWatch = { descriptor, path, mask in
        let result = inotify_add_watch(descriptor, path, mask)
        return result >= 0 ? result : -errno
    }

    /// Everything a tree needs; `IN_EXCL_UNLINK` stops reports about files already unlinked but
    /// still open. `IN_ONLYDIR` makes a directory replaced by a file fail instead of watching the file.
    static let watchMask = UInt32(IN_CREATE | IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE
        | IN_DELETE_SELF | IN_MOVE_SELF | IN_ATTRIB | IN_ONLYDIR | IN_EXCL_UNLINK)
    static let changeMask = UInt32(IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_ATTRIB)
    static let readBufferSize = 64 * 1024

    private struct State {
        var table = WatchTable()
        var rules: [String: DescendRule] = [:]
        var debouncer: Debouncer
        /// Directories moved away whose `IN_MOVED_TO` has not been seen yet, by rename cookie.
        var movedAway: [UInt32: [WatchTable.Detached]] = [:]
        var reader: pthread_t?
        var isStopped = false
    }

    private let inotifyDescriptor: Int32
    private let wakeReadDescriptor: Int32
    private let wakeWriteDescriptor: Int32
    private let addWatch: AddWatch
    private let continuation: AsyncStream<[WatchEvent]>.Continuation
    private let onAttributeChange: DirectoryWatcher.AttributeObserver?
    private let state: Mutex<State>

    init(
        debounce: Duration, addWatch: @escaping AddWatch, continuation: AsyncStream<[WatchEvent]>.Continuation,
        onAttributeChange: DirectoryWatcher.AttributeObserver? = nil
    ) throws(WatcherError) {
        let inotifyDescriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard inotifyDescriptor >= 0 else { throw .inotifyUnavailable(reason: Self.describe(errno)) }
        // A socket pair rather than a pipe: Glibc's module does not export pipe2, and the close-on-exec
        // flag must be set atomically so a concurrently spawned process does not inherit it.
        var wakeDescriptors: [Int32] = [-1, -1]
        let wakeType = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        guard socketpair(AF_UNIX, wakeType, 0, &wakeDescriptors) == 0 else {
            let reason = Self.describe(errno)
            close(inotifyDescriptor)
            throw .inotifyUnavailable(reason: "cannot create the wake-up channel: \(reason)")
        }
        self.inotifyDescriptor = inotifyDescriptor
        wakeReadDescriptor = wakeDescriptors[0]
        wakeWriteDescriptor = wakeDescriptors[1]
        self.addWatch = addWatch
        self.continuation = continuation
        self.onAttributeChange = onAttributeChange
        state = Mutex(State(debouncer: Debouncer(interval: debounce)))

        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let result = pthread_create(&thread, nil, { context in
            guard let context else { return nil }
            Unmanaged<WatcherCore>.fromOpaque(context).takeRetainedValue().runReader()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<WatcherCore>.fromOpaque(context).release()
            closeDescriptors()
            throw .inotifyUnavailable(reason: "cannot start the reader thread: \(Self.describe(result))")
        }
        state.withLock { $0.reader = thread }
    }

    var watchedDirectoryCount: Int {
        state.withLock { $0.table.count }
    }

    func watch(root: String, shouldDescend: @escaping DescendRule) throws(WatcherError) {
        let root = Self.normalized(root)
        let isStopped = state.withLock { state in
            if !state.isStopped { state.rules[root] = shouldDescend }
            return state.isStopped
        }
        guard !isStopped else { throw .stopped }
        do {
            try addTree(at: root, root: root, rule: shouldDescend, isRoot: true)
        } catch {
            state.withLock { _ = $0.rules.removeValue(forKey: root) }
            throw error
        }
    }

    func unwatch(root: String) {
        let root = Self.normalized(root)
        state.withLock { state in
            guard !state.isStopped else { return }
            state.rules[root] = nil
            for descriptor in state.table.descriptors(ofRoot: root) {
                inotify_rm_watch(inotifyDescriptor, descriptor)
                state.table.remove(descriptor)
            }
            state.debouncer.discard(under: root)
        }
    }

    func stop() {
        let (wasRunning, reader) = state.withLock { state -> (Bool, pthread_t?) in
            guard !state.isStopped else { return (false, nil) }
            state.isStopped = true
            defer { state.reader = nil }
            return (true, state.reader)
        }
        guard wasRunning else { return }
        var byte: UInt8 = 1
        _ = write(wakeWriteDescriptor, &byte, 1)
        if let reader, pthread_equal(reader, pthread_self()) == 0 {
            pthread_join(reader, nil)
        }
        // Nothing is lost by stopping early: what was still settling is delivered now.
        state.withLock { state in
            let rest = state.debouncer.takeAll()
            if !rest.isEmpty { continuation.yield(rest) }
        }
        continuation.finish()
        closeDescriptors()
    }

    private func closeDescriptors() {
        close(inotifyDescriptor)
        close(wakeReadDescriptor)
        close(wakeWriteDescriptor)
    }

    // MARK: Adding watches

    /// Watches `top` and every directory below it admitted by `rule`, taking the lock once per
    /// directory so that a large initial walk does not hold up the reader.
    private func addTree(at top: String, root: String, rule: DescendRule, isRoot: Bool) throws(WatcherError) {
        var stack = [top]
        var unwatched: [WatchEvent] = []
        while let directory = stack.popLast() {
            // A root given as a symlink is followed, because the user named it; nothing below is.
            let followsSymlink = isRoot && directory == top
            let mask = Self.watchMask | (followsSymlink ? 0 : UInt32(IN_DONT_FOLLOW))
            let result: Int32? = state.withLock { state in
                // Stopped or unwatched meanwhile: the walk is moot.
                guard !state.isStopped, state.rules[root] != nil else { return nil }
                let descriptor = addWatch(inotifyDescriptor, directory, mask)
                if descriptor >= 0 { state.table.insert(descriptor, path: directory, root: root) }
                return descriptor
            }
            guard let result else { return }
            if result < 0 {
                let code = -result
                if code == ENOSPC || code == ENOMEM {
                    unwatched.append(.watchLimitReached(path: directory))
                } else if isRoot && directory == top {
                    throw .cannotWatch(path: directory, reason: Self.describe(code))
                }
                // Otherwise it vanished, became a file or a symlink, or is unreadable: nothing to watch.
                continue
            }
            for child in Self.subdirectories(of: directory) where rule(child) {
                stack.append(child)
            }
        }
        if !unwatched.isEmpty {
            state.withLock { _ in _ = continuation.yield(unwatched) }
        }
    }

    /// Real subdirectories of `directory`, not symlinks to directories.
    private static func subdirectories(of directory: String) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var result: [String] = []
        while let entry = readdir(handle) {
            // A name that is not UTF-8 cannot be named by a String path; the walker reports it.
            let decoded = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(validating: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let name = decoded, name != ".", name != ".." else { continue }
            let path = join(directory, name)
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_DIR):
                result.append(path)
            case Int32(DT_UNKNOWN):
                // Some file systems do not fill d_type.
                var info = stat()
                if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { result.append(path) }
            default:
                continue
            }
        }
        return result
    }

    // MARK: Reader thread

    private func runReader() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readBufferSize, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            var descriptors = [
                pollfd(fd: inotifyDescriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeReadDescriptor, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&descriptors, nfds_t(descriptors.count), pollTimeout())
            if ready < 0 && errno != EINTR { return }
            if descriptors[1].revents != 0 {
                // Only stop() writes to the wake-up channel. Take in what happened before it, so
                // that stop() can deliver it.
                drain(into: buffer)
                return
            }
            if descriptors[0].revents & Int16(POLLIN) != 0 {
                drain(into: buffer)
            } else if descriptors[0].revents != 0 {
                return  // POLLERR/POLLNVAL: the descriptor is unusable
            }
            state.withLock { state in
                let due = state.debouncer.takeDue(at: .now)
                if !due.isEmpty { continuation.yield(due) }
            }
        }
    }

    /// Milliseconds until the next debounced event is due, or -1 (wait for input) if none is pending.
    private func pollTimeout() -> Int32 {
        guard let deadline = state.withLock({ $0.debouncer.nextDeadline }) else { return -1 }
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else { return 0 }
        let (seconds, attoseconds) = remaining.components
        // Round up so the poll does not wake a hair before the deadline and spin.
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }

    /// Reads and handles everything queued, then settles directories moved out of the tree.
    private func drain(into buffer: UnsafeMutableRawBufferPointer) {
        while true {
            let count = read(inotifyDescriptor, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                break  // EAGAIN: the queue is empty
            }
            if count == 0 { break }
            for record in InotifyRecord.parse(UnsafeRawBufferPointer(rebasing: buffer[..<count])) {
                if let onAttributeChange, record.mask & UInt32(IN_ATTRIB | IN_Q_OVERFLOW) != 0 {
                    // Outside the lock, before the record is applied: the path is the entry's as
                    // the kernel reported it.
                    if record.mask & UInt32(IN_Q_OVERFLOW) != 0 {
                        onAttributeChange(nil)
                    } else if let directory = state.withLock({ $0.table.entry(for: record.descriptor)?.path }) {
                        onAttributeChange(record.name.isEmpty ? directory : Self.join(directory, record.name))
                    }
                }
                if let newDirectory = state.withLock({ handle(record, in: &$0) }) {
                    // Outside the lock: the walk takes it per directory.
                    try? addTree(at: newDirectory.path, root: newDirectory.root, rule: newDirectory.rule, isRoot: false)
                }
            }
        }
        // A rename queues both halves in one system call, so with the queue empty a directory still
        // waiting for its IN_MOVED_TO has left the tree.
        state.withLock { state in
            for detached in state.movedAway.values.joined() {
                inotify_rm_watch(inotifyDescriptor, detached.descriptor)
            }
            state.movedAway = [:]
        }
    }

    private struct NewDirectory {
        var path: String
        var root: String
        var rule: DescendRule
    }

    /// Applies one record to the table and the debouncer; returns a directory that needs watching.
    private func handle(_ record: InotifyRecord, in state: inout State) -> NewDirectory? {
        let mask = record.mask
        if mask & UInt32(IN_Q_OVERFLOW) != 0 {
            continuation.yield([.overflow])
            return nil
        }
        if mask & UInt32(IN_IGNORED) != 0 {
            state.table.remove(record.descriptor)
            return nil
        }
        guard let entry = state.table.entry(for: record.descriptor) else { return nil }
        let now = ContinuousClock.now

        if record.name.isEmpty {
            handleSelfEvent(mask: mask, entry: entry, in: &state, now: now)
            return nil
        }
        let path = Self.join(entry.path, record.name)
        guard mask & UInt32(IN_ISDIR) != 0 else {
            if mask & UInt32(IN_DELETE | IN_MOVED_FROM) != 0 {
                state.debouncer.record(.removed(path: path), at: now)
            } else if mask & Self.changeMask != 0 {
                let appeared = mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0
                state.debouncer.record(.changed(path: path), at: now, appeared: appeared)
            }
            return nil
        }
        guard let rule = state.rules[entry.root] else { return nil }

        if mask & UInt32(IN_MOVED_FROM) != 0 {
            // Keep its watches aside: if it reappears in the tree they are re-keyed, not re-added.
            state.movedAway[record.cookie, default: []].append(contentsOf: state.table.detachSubtree(at: path))
            state.debouncer.discard(below: path)
            state.debouncer.record(.removed(path: path), at: now)
        } else if mask & UInt32(IN_MOVED_TO) != 0 {
            let detached = state.movedAway.removeValue(forKey: record.cookie)
            guard rule(path) else {
                for item in detached ?? [] { inotify_rm_watch(inotifyDescriptor, item.descriptor) }
                return nil
            }
            state.debouncer.record(.directoryAdded(path: path), at: now, appeared: true)
            if let detached {
                state.table.attach(detached, at: path, root: entry.root)
                return nil
            }
            return NewDirectory(path: path, root: entry.root, rule: rule)
        } else if mask & UInt32(IN_CREATE) != 0 {
            guard rule(path) else { return nil }
            state.debouncer.record(.directoryAdded(path: path), at: now, appeared: true)
            return NewDirectory(path: path, root: entry.root, rule: rule)
        } else if mask & UInt32(IN_DELETE) != 0 {
            // Its own watch ends with IN_IGNORED.
            state.debouncer.record(.removed(path: path), at: now)
        }
        return nil
    }

    /// Events about a watched directory itself (the record has no name).
    private func handleSelfEvent(mask: UInt32, entry: WatchTable.Entry, in state: inout State, now: ContinuousClock.Instant) {
        if mask & UInt32(IN_DELETE_SELF | IN_UNMOUNT) != 0 {
            state.debouncer.record(.removed(path: entry.path), at: now)
        } else if mask & UInt32(IN_MOVE_SELF) != 0, entry.path == entry.root {
            // A root moved elsewhere: its watches would report paths under the old name, so drop them.
            // (A directory below a root is handled by IN_MOVED_FROM in its parent.)
            for descriptor in state.table.descriptors(ofRoot: entry.root) {
                inotify_rm_watch(inotifyDescriptor, descriptor)
                state.table.remove(descriptor)
            }
            state.rules[entry.root] = nil
            state.debouncer.discard(under: entry.root)
            state.debouncer.record(.removed(path: entry.root), at: now)
        }
    }

    // MARK: Paths and errors

    private static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    private static func normalized(_ path: String) -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }

    private static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
