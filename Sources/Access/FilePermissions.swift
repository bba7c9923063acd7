public import Glibc

/// The permission bits of one file (owner, group, mode) and its extended ACL if it has one, and
/// the kernel's decision for a caller (`acl_permission_check` and `posix_acl_permission` in
/// fs/namei.c and fs/posix_acl.c), computed without switching to the caller's uid.
public struct FilePermissions: Sendable, Equatable {
    public var owner: uid_t
    public var group: gid_t
    public var mode: mode_t
    /// nil: no extended ACL, the mode bits decide.
    public var acl: [AccessControlEntry]?

    /// What to ask for, as the low three bits.
    public static let read: UInt16 = 4
    public static let search: UInt16 = 1

    public init(owner: uid_t, group: gid_t, mode: mode_t, acl: [AccessControlEntry]? = nil) {
        self.owner = owner
        self.group = group
        self.mode = mode
        self.acl = acl
    }

    /// Whether `caller` has every bit of `wanted`. Root is not special here (`AccessPolicy` is):
    /// the question is what the bits grant.
    public func allows(_ wanted: UInt16, to caller: Caller) -> Bool {
        if let acl, acl.count > 3 { return Self.aclAllows(acl, wanted, caller: caller, owner: owner, group: group) }
        let bits: mode_t
        if caller.uid == owner {
            bits = (mode >> 6) & 7
        } else if caller.isMember(of: group) {
            bits = (mode >> 3) & 7
        } else {
            bits = mode & 7
        }
        return UInt16(bits) & wanted == wanted
    }

    /// posix_acl_permission: the owner entry for the owner; a named user's entry (masked); then
    /// the group entries the caller matches (masked): any that grants is enough, but matching one
    /// and none granting denies without looking at `other`.
    static func aclAllows(_ acl: [AccessControlEntry], _ wanted: UInt16, caller: Caller, owner: uid_t, group: gid_t) -> Bool {
        let mask = acl.first { $0.tag == .mask }?.permissions ?? 7
        for entry in acl {
            switch entry.tag {
            case .owner where caller.uid == owner: return entry.permissions & wanted == wanted
            case .user(let uid) where uid == caller.uid: return entry.permissions & mask & wanted == wanted
            default: continue
            }
        }
        var matchedGroup = false
        for entry in acl {
            let applies: Bool
            switch entry.tag {
            case .owningGroup: applies = caller.isMember(of: group)
            case .group(let gid): applies = caller.isMember(of: gid)
            default: applies = false
            }
            guard applies else { continue }
            matchedGroup = true
            if entry.permissions & mask & wanted == wanted { return true }
        }
        if matchedGroup { return false }
        let other = acl.first { $0.tag == .other }?.permissions ?? 0
        return other & wanted == wanted
    }
}
