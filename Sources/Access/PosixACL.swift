import CACL
import Glibc

/// Reads a file's access ACL through libacl.
enum PosixACL {
    /// The entries of the access ACL at `path`, or nil when it has none beyond its mode bits (or the
    /// file system has no ACLs): then the mode decides, as in the kernel.
    static func entries(atPath path: String) -> [AccessControlEntry]? {
        guard acl_extended_file(path) == 1 else { return nil }
        guard let acl = acl_get_file(path, acl_type_t(ACL_TYPE_ACCESS)) else { return nil }
        defer { acl_free(UnsafeMutableRawPointer(acl)) }
        var entries: [AccessControlEntry] = []
        var entry: acl_entry_t?
        var which = ACL_FIRST_ENTRY
        while acl_get_entry(acl, which, &entry) == 1, let current = entry {
            which = ACL_NEXT_ENTRY
            var tagType = acl_tag_t()
            var permset: acl_permset_t?
            guard acl_get_tag_type(current, &tagType) == 0, acl_get_permset(current, &permset) == 0, let permset else { continue }
            var permissions: UInt16 = 0
            if acl_get_perm(permset, UInt32(ACL_READ)) == 1 { permissions |= 4 }
            if acl_get_perm(permset, UInt32(ACL_WRITE)) == 1 { permissions |= 2 }
            if acl_get_perm(permset, UInt32(ACL_EXECUTE)) == 1 { permissions |= 1 }
            let tag: AccessControlEntry.Tag
            switch tagType {
            case ACL_USER_OBJ: tag = .owner
            case ACL_GROUP_OBJ: tag = .owningGroup
            case ACL_MASK: tag = .mask
            case ACL_OTHER: tag = .other
            case ACL_USER, ACL_GROUP:
                guard let qualifier = acl_get_qualifier(current) else { continue }
                let id = qualifier.load(as: UInt32.self)
                acl_free(qualifier)
                tag = tagType == ACL_USER ? .user(id) : .group(id)
            default: continue
            }
            entries.append(AccessControlEntry(tag, permissions))
        }
        return entries
    }
}
