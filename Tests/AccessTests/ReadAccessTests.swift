import Foundation
import Glibc
import Testing
@testable import Access

/// Real files with owners and ACLs of made-up uids (chown needs root): the decisions are computed
/// from the files, not by switching to those uids, so no users need to exist.
@Suite(.serialized, .enabled(if: geteuid() == 0, "chown to other uids and setfacl need root"))
struct ReadAccessTests {
    let reader = Caller(uid: 47001, gid: 47001, pid: 1, groups: [47001, 47100], userName: nil)
    let stranger = Caller(uid: 47002, gid: 47002, pid: 1, groups: [47002], userName: nil)

    func makeTree() throws -> String {
        let root = "/tmp/sotto-access-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root + "/open/closed", withIntermediateDirectories: true)
        chmod(root, 0o755)
        chmod(root + "/open", 0o755)
        for name in ["own.txt", "group.txt", "world.txt", "acl.txt"] {
            _ = FileManager.default.createFile(atPath: root + "/open/" + name, contents: Data("x".utf8))
        }
        _ = FileManager.default.createFile(atPath: root + "/open/closed/inner.txt", contents: Data("x".utf8))
        chown(root + "/open/own.txt", 47001, 47001); chmod(root + "/open/own.txt", 0o600)
        chown(root + "/open/group.txt", 0, 47100); chmod(root + "/open/group.txt", 0o640)
        chmod(root + "/open/world.txt", 0o644)
        chmod(root + "/open/acl.txt", 0o600)
        chmod(root + "/open/closed", 0o700)
        chmod(root + "/open/closed/inner.txt", 0o644)
        return root
    }

    func setfacl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setfacl")
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/setfacl"), "setfacl (Debian package acl) is not installed"))
    func decidesAsTheKernelWould() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try setfacl(["-m", "u:47002:r", root + "/open/acl.txt"])
        let access = ReadAccess(lifetime: .zero)
        #expect(access.mayRead(root + "/open/own.txt", as: reader))
        #expect(!access.mayRead(root + "/open/own.txt", as: stranger))
        #expect(access.mayRead(root + "/open/group.txt", as: reader))
        #expect(!access.mayRead(root + "/open/group.txt", as: stranger))
        #expect(access.mayRead(root + "/open/world.txt", as: stranger))
        #expect(access.mayRead(root + "/open/acl.txt", as: stranger))
        #expect(!access.mayRead(root + "/open/acl.txt", as: reader))
        #expect(!access.mayRead(root + "/open/closed/inner.txt", as: reader), "a directory above without search permission")
        #expect(!access.mayRead(root + "/open/missing.txt", as: reader))
        #expect(access.mayList(root + "/open", as: stranger))
        #expect(!access.mayList(root + "/open/closed", as: stranger))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/setfacl"), "setfacl (Debian package acl) is not installed"))
    func changesTakeEffectAfterTheLifetime() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let access = ReadAccess(lifetime: .milliseconds(200))
        let world = root + "/open/world.txt"
        #expect(access.mayRead(world, as: stranger))
        chmod(world, 0o600)
        usleep(300_000)
        #expect(!access.mayRead(world, as: stranger), "a chmod is seen once the cached decision expires")
        try setfacl(["-m", "u:47002:r", world])
        usleep(300_000)
        #expect(access.mayRead(world, as: stranger), "so is a setfacl")
    }

    @Test func policyRights() {
        let policy = AccessPolicy(daemonUID: 47005, adminGroupName: "sotto-no-such-group-here")
        #expect(policy.seesEverything(Caller(uid: 0, gid: 0, pid: 1, groups: [], userName: "root")))
        #expect(policy.seesEverything(Caller(uid: 47005, gid: 1, pid: 1, groups: [], userName: nil)))
        #expect(!policy.seesEverything(reader))
        #expect(!policy.mayChangeIndex(reader))
        #expect(policy.adminGroup == nil)
        var withGroup = policy
        withGroup.adminGroup = 47100
        #expect(withGroup.mayChangeIndex(reader), "a member of the admin group")
        #expect(!withGroup.mayChangeIndex(stranger))
    }
}
