public import Glibc

/// Who is on the other end of a connection: the process's uid, gid and pid from the kernel
/// (`SO_PEERCRED`), and the groups of that user in the system's group database.
///
/// The groups are the user's (`getgrouplist`), as `sudo -u` or a login would give them, not the
/// connecting process's own supplementary list: a permission belongs to a person, and a client
/// started with fewer groups must not see less than its user may read with `cat`.
public struct Caller: Sendable, Hashable, CustomStringConvertible {
    public var uid: uid_t
    public var gid: gid_t
    public var pid: pid_t
    /// The primary group and every supplementary group, sorted, without repeats.
    public var groups: [gid_t]
    /// The login name, when the uid has one.
    public var userName: String?

    public init(uid: uid_t, gid: gid_t, pid: pid_t, groups: [gid_t], userName: String?) {
        self.uid = uid
        self.gid = gid
        self.pid = pid
        self.groups = Array(Set(groups + [gid])).sorted()
        self.userName = userName
    }

    /// The caller with these credentials, its name and groups looked up in the user and group
    /// databases; a uid without a name belongs to its primary group only.
    public static func resolve(uid: uid_t, gid: gid_t, pid: pid_t) -> Caller {
        guard let name = userName(of: uid) else {
            return Caller(uid: uid, gid: gid, pid: pid, groups: [gid], userName: nil)
        }
        return Caller(uid: uid, gid: gid, pid: pid, groups: groups(of: name, primary: gid), userName: name)
    }

    public func isMember(of group: gid_t) -> Bool {
        groups.contains(group)
    }

    public var description: String {
        "uid \(uid) (\(userName ?? "no name")) gid \(gid) pid \(pid) groups \(groups.map(String.init).joined(separator: ","))"
    }

    /// The login name of `uid`, if it has one.
    public static func userName(of uid: uid_t) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name else {
            return nil
        }
        return String(cString: name)
    }

    /// The user's groups; grows the buffer when a user is in more groups than it holds.
    static func groups(of name: String, primary: gid_t) -> [gid_t] {
        var count: Int32 = 64
        while count <= 65_536 {
            var list = [gid_t](repeating: 0, count: Int(count))
            var found = count
            if getgrouplist(name, primary, &list, &found) >= 0 {
                return Array(list.prefix(Int(found)))
            }
            count = max(found, count * 2)
        }
        return [primary]
    }

    /// The id of the group with this name, if there is one.
    public static func groupID(named name: String) -> gid_t? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 65_536)
        guard getgrnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.gr_gid
    }
}
