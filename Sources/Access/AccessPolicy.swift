public import Glibc

/// The two kinds of rights. Anyone who can connect may query (search, ask, status, documents), and
/// sees only what they may read; changing the index (sources, forget, reindex, settings) is for
/// root, the daemon's own user and members of the admin group. Root and the daemon's user also see
/// everything: the daemon reads every indexed file itself.
public struct AccessPolicy: Sendable {
    public var daemonUID: uid_t
    /// The admin group's id; nil when no group of the configured name exists.
    public var adminGroup: gid_t?
    public var adminGroupName: String
    /// Whether a user who is not an admin may add a folder they own and can read.
    public var allowsUserSources: Bool
    public let readAccess: ReadAccess

    public init(daemonUID: uid_t = geteuid(), adminGroupName: String = "sotto-admin", allowsUserSources: Bool = false,
                readAccess: ReadAccess = ReadAccess()) {
        self.daemonUID = daemonUID
        self.adminGroupName = adminGroupName
        self.adminGroup = Caller.groupID(named: adminGroupName)
        self.allowsUserSources = allowsUserSources
        self.readAccess = readAccess
    }

    /// Root or the daemon's user: sees every indexed document.
    public func seesEverything(_ caller: Caller) -> Bool {
        caller.uid == 0 || caller.uid == daemonUID
    }

    /// Root, the daemon's user, or a member of the admin group.
    public func mayChangeIndex(_ caller: Caller) -> Bool {
        if seesEverything(caller) { return true }
        guard let adminGroup else { return false }
        return caller.isMember(of: adminGroup)
    }

    /// Whether `caller` may add the folder at `path` as a source: an admin always; with user
    /// sources on, a user who owns the folder and may list it.
    public func mayAddSource(_ path: String, caller: Caller) -> Bool {
        if mayChangeIndex(caller) { return true }
        guard allowsUserSources else { return false }
        var info = stat()
        guard stat(path, &info) == 0, info.st_uid == caller.uid else { return false }
        return readAccess.mayList(path, as: caller)
    }

    /// Whether `caller` may see the document at `path` in any answer, listing or count.
    public func mayRead(_ path: String, caller: Caller) -> Bool {
        seesEverything(caller) || readAccess.mayRead(path, as: caller)
    }
}
