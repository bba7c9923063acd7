import Glibc
import Synchronization

/// Whether a caller could open a file for reading right now: read permission on the file and
/// search permission on every directory above it, by mode bits and POSIX ACLs — the answer
/// `access(2)` would give that user, computed without switching to it.
///
/// Decisions are cached for `lifetime` (2 s by default), so a `chmod` or `setfacl` takes effect
/// within that time, and at once where the daemon's watcher sees it (`invalidate()`); one search
/// asks about each document once, and the directories above many documents are looked at once per
/// lifetime, not once per document.
public final class ReadAccess: Sendable {
    public let lifetime: Duration
    private let cache = Mutex(Cache())
    /// Past this many decisions the cache starts over (a bound on memory, not a tuning knob).
    private let capacity = 200_000

    private struct Key: Hashable {
        var uid: uid_t
        var groups: [gid_t]
        var path: String
        var wanted: UInt16
    }

    private struct Cache {
        var decisions: [Key: (allowed: Bool, until: ContinuousClock.Instant)] = [:]
    }

    public init(lifetime: Duration = .seconds(2)) {
        self.lifetime = lifetime
    }

    /// Whether `caller` may read the file at `path` (absolute). A path that does not exist, or
    /// that cannot be examined, is not readable.
    public func mayRead(_ path: String, as caller: Caller) -> Bool {
        guard path.hasPrefix("/") else { return false }
        return decide(path, wanted: FilePermissions.read, caller: caller)
            && mayReach(parent(of: path), as: caller)
    }

    /// Whether `caller` may list the directory at `path` and everything above it lets it through.
    public func mayList(_ path: String, as caller: Caller) -> Bool {
        guard path.hasPrefix("/") else { return false }
        return decide(path, wanted: FilePermissions.read | FilePermissions.search, caller: caller)
            && mayReach(parent(of: path), as: caller)
    }

    /// Search permission on `directory` and every directory above it. The answer for a directory is
    /// cached as a whole, so the many documents of one folder cost one lookup for everything above
    /// them, not one per level; it is computed from every level's current permissions (not from
    /// cached ones), so it is never older than one lifetime.
    private func mayReach(_ directory: String, as caller: Caller) -> Bool {
        decide(directory, wanted: Self.reach, caller: caller) { [self] in
            var current = directory
            while true {
                guard Self.permissions(atPath: current)?.allows(FilePermissions.search, to: caller) == true else { return false }
                if current == "/" { return true }
                current = parent(of: current)
            }
        }
    }

    /// Not a permission bit: the cache's key for "search permission here and on every directory above".
    private static let reach: UInt16 = 0x100

    private func decide(_ path: String, wanted: UInt16, caller: Caller, compute: (() -> Bool)? = nil) -> Bool {
        let key = Key(uid: caller.uid, groups: caller.groups, path: path, wanted: wanted)
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0.decisions[key] }), cached.until > now { return cached.allowed }
        let allowed = compute?() ?? (Self.permissions(atPath: path)?.allows(wanted, to: caller) ?? false)
        cache.withLock { cache in
            if cache.decisions.count >= capacity { cache.decisions.removeAll(keepingCapacity: true) }
            cache.decisions[key] = (allowed, now + lifetime)
        }
        return allowed
    }

    /// Forgets every cached decision: after a permission, owner or ACL change the watcher saw.
    /// All of them, not the changed path's: a hard link shares the file's permissions under another
    /// path, and a directory's change reaches every decision below it.
    public func invalidate() {
        cache.withLock { $0.decisions.removeAll() }
    }

    /// The owner, group, mode and ACL of `path` (following symbolic links, as opening it would).
    static func permissions(atPath path: String) -> FilePermissions? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FilePermissions(owner: info.st_uid, group: info.st_gid, mode: info.st_mode & 0o7777, acl: PosixACL.entries(atPath: path))
    }

    private func parent(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "/" }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }
}
