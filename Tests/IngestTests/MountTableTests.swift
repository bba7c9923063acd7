import Testing
@testable import Ingest

@Suite struct MountTableTests {
    /// As /proc/self/mounts writes it: device, mount point, type, options, dump, pass.
    let table = MountTable(parsing: """
        /dev/sda1 / ext4 rw,relatime 0 0
        proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
        server:/export /home/ann/shared nfs4 rw,relatime,vers=4.2 0 0
        //nas/photos /mnt/My\\040Photos cifs rw 0 0
        sshfs#ann@host: /home/ann/remote fuse.sshfs rw 0 0
        /dev/sdb1 /home/ann/shared/local ext4 rw 0 0
        tmpfs /mnt/tab\\011and\\134slash tmpfs rw 0 0
        broken-line
        """)

    @Test func theLongestMountPointThatHoldsThePathDecides() {
        #expect(table.filesystemType(containing: "/home/ann/notes") == "ext4")
        #expect(table.filesystemType(containing: "/home/ann/shared") == "nfs4")
        #expect(table.filesystemType(containing: "/home/ann/shared/plans/a.md") == "nfs4")
        #expect(table.filesystemType(containing: "/home/ann/shared/local/a.md") == "ext4")
        // A name that merely starts like a mount point is not inside it.
        #expect(table.filesystemType(containing: "/home/ann/shared-old") == "ext4")
    }

    @Test func networkAndFuseFilesystemsAreNetwork() {
        #expect(table.isNetworkFilesystem("/home/ann/shared/plans"))
        #expect(table.isNetworkFilesystem("/home/ann/remote/x"))
        #expect(!table.isNetworkFilesystem("/home/ann/shared/local/x"))
        #expect(!table.isNetworkFilesystem("/home/ann/notes"))
    }

    @Test func octalEscapesInMountPointsAreUndone() {
        #expect(table.filesystemType(containing: "/mnt/My Photos/2026") == "cifs")
        #expect(table.isNetworkFilesystem("/mnt/My Photos"))
        #expect(table.filesystemType(containing: "/mnt/tab\tand\\slash/x") == "tmpfs")
        #expect(table.mounts.count == 7, "a line without three fields is passed over")
    }

    @Test func aLaterMountOnTheSamePointHidesTheEarlierOne() {
        let stacked = MountTable(parsing: "a /data ext4 rw 0 0\nb /data nfs rw 0 0\n")
        #expect(stacked.filesystemType(containing: "/data/x") == "nfs")
    }

    @Test func anEmptyTableKnowsNoFilesystem() {
        #expect(MountTable(parsing: "").filesystemType(containing: "/x") == nil)
        #expect(!MountTable(parsing: "").isNetworkFilesystem("/x"))
    }

    @Test func thisMachinesTableHoldsTheRoot() throws {
        let current = try #require(MountTable.current(), "/proc/self/mounts is readable on Linux")
        #expect(current.filesystemType(containing: "/") != nil)
    }
}
