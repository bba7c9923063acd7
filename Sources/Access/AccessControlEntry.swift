public import Glibc

/// One entry of a file's POSIX access ACL, as the kernel evaluates it (acl(5)).
public struct AccessControlEntry: Sendable, Equatable {
    public enum Tag: Sendable, Equatable {
        case owner
        case user(uid_t)
        case owningGroup
        case group(gid_t)
        case mask
        case other
    }

    public var tag: Tag
    /// rwx as the low three bits (4 read, 2 write, 1 execute/search).
    public var permissions: UInt16

    public init(_ tag: Tag, _ permissions: UInt16) {
        self.tag = tag
        self.permissions = permissions
    }
}
