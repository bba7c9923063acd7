import Glibc
import Testing
@testable import Access

@Suite struct FilePermissionsTests {
    let alice = Caller(uid: 5001, gid: 5001, pid: 1, groups: [5001, 6000], userName: "alice")
    let bob = Caller(uid: 5002, gid: 5002, pid: 1, groups: [5002], userName: "bob")

    @Test func modeBitsOwnerGroupOther() {
        let ownerOnly = FilePermissions(owner: 5001, group: 5001, mode: 0o600)
        #expect(ownerOnly.allows(FilePermissions.read, to: alice))
        #expect(!ownerOnly.allows(FilePermissions.read, to: bob))
        let group = FilePermissions(owner: 1, group: 6000, mode: 0o640)
        #expect(group.allows(FilePermissions.read, to: alice), "a supplementary group counts")
        #expect(!group.allows(FilePermissions.read, to: bob))
        // The owner class decides for the owner even when "other" would grant more (as the kernel does).
        let ownerDenied = FilePermissions(owner: 5002, group: 1, mode: 0o044)
        #expect(!ownerDenied.allows(FilePermissions.read, to: bob))
        #expect(FilePermissions(owner: 1, group: 1, mode: 0o644).allows(FilePermissions.read, to: bob))
        #expect(!FilePermissions(owner: 1, group: 1, mode: 0o640).allows(FilePermissions.read, to: bob))
    }

    @Test func aclNamedUserIsMasked() {
        let acl: [AccessControlEntry] = [.init(.owner, 6), .init(.user(5002), 4), .init(.owningGroup, 0), .init(.mask, 4), .init(.other, 0)]
        #expect(FilePermissions(owner: 1, group: 1, mode: 0o640, acl: acl).allows(FilePermissions.read, to: bob))
        var masked = acl
        masked[3] = .init(.mask, 0)
        #expect(!FilePermissions(owner: 1, group: 1, mode: 0o600, acl: masked).allows(FilePermissions.read, to: bob))
        #expect(!FilePermissions(owner: 1, group: 1, mode: 0o640, acl: acl).allows(FilePermissions.read, to: alice))
    }

    @Test func aclGroupsAnyGrantsButAMatchDeniesOther() {
        let acl: [AccessControlEntry] = [.init(.owner, 6), .init(.owningGroup, 0), .init(.group(6000), 4), .init(.mask, 7), .init(.other, 4)]
        let file = FilePermissions(owner: 1, group: 1, mode: 0o674, acl: acl)
        #expect(file.allows(FilePermissions.read, to: alice), "a named group grants")
        #expect(file.allows(FilePermissions.read, to: bob), "no group matches: other")
        let denying: [AccessControlEntry] = [.init(.owner, 6), .init(.owningGroup, 0), .init(.mask, 7), .init(.other, 4)]
        let members = Caller(uid: 5003, gid: 1, pid: 1, groups: [1], userName: nil)
        #expect(!FilePermissions(owner: 1, group: 1, mode: 0o604, acl: denying + [.init(.group(9), 4)]).allows(FilePermissions.read, to: members),
                "matching the owning group, which grants nothing, denies even though other may read")
    }
}
