import Access
import Glibc
import Synchronization

/// Callers' names and groups, looked up once per uid and gid for a few seconds: a group change
/// (`usermod -aG`) takes effect soon, and a busy client does not read the group database per request.
final class CallerDirectory: Sendable {
    static let shared = CallerDirectory()

    private struct Entry {
        var caller: Caller
        var until: ContinuousClock.Instant
    }

    private let entries = Mutex<[UInt64: Entry]>([:])
    private let lifetime: Duration = .seconds(5)

    func caller(uid: uid_t, gid: gid_t, pid: pid_t) -> Caller {
        let key = UInt64(uid) << 32 | UInt64(gid)
        let now = ContinuousClock.now
        if var known = entries.withLock({ $0[key] }), known.until > now {
            known.caller.pid = pid
            return known.caller
        }
        // Root and the daemon's own user see everything and may change the index: their groups
        // decide nothing, so the group database (and whatever NSS modules it consults) is left alone.
        let caller = uid == 0 || uid == geteuid()
            ? Caller(uid: uid, gid: gid, pid: pid, groups: [gid], userName: Caller.userName(of: uid))
            : Caller.resolve(uid: uid, gid: gid, pid: pid)
        entries.withLock { entries in
            if entries.count > 10_000 { entries.removeAll() }
            entries[key] = Entry(caller: caller, until: now + lifetime)
        }
        return caller
    }
}
