import Testing
@testable import Ingest

@Suite struct WatchTableTests {
    private static func makeTable() -> WatchTable {
        var table = WatchTable()
        table.insert(1, path: "/r", root: "/r")
        table.insert(2, path: "/r/d", root: "/r")
        table.insert(3, path: "/r/d/e", root: "/r")
        table.insert(4, path: "/r/dx", root: "/r")
        table.insert(5, path: "/s", root: "/s")
        return table
    }

    @Test func mapsBothWays() {
        var table = Self.makeTable()
        #expect(table.count == 5)
        #expect(table.entry(for: 3) == WatchTable.Entry(path: "/r/d/e", root: "/r"))
        #expect(table.descriptor(for: "/r/dx") == 4)
        #expect(Set(table.descriptors(ofRoot: "/r")) == [1, 2, 3, 4])

        #expect(table.remove(4)?.path == "/r/dx")
        #expect(table.descriptor(for: "/r/dx") == nil)
        #expect(table.remove(4) == nil)
        #expect(table.count == 4)
    }

    @Test func reinsertingADescriptorRepointsIt() {
        var table = Self.makeTable()
        table.insert(4, path: "/r/renamed", root: "/r")
        #expect(table.descriptor(for: "/r/dx") == nil)
        #expect(table.descriptor(for: "/r/renamed") == 4)
        #expect(table.count == 5)
    }

    @Test func removingAStaleDescriptorKeepsTheNewOwnerOfItsPath() {
        var table = Self.makeTable()
        table.insert(9, path: "/r/d", root: "/r")  // the directory was replaced and watched again
        table.remove(2)
        #expect(table.descriptor(for: "/r/d") == 9)
    }

    @Test func detachedSubtreeIsReattachedUnderItsNewName() {
        var table = Self.makeTable()
        let detached = table.detachSubtree(at: "/r/d")
        #expect(Set(detached.map(\.descriptor)) == [2, 3])
        #expect(table.count == 3)
        #expect(table.descriptor(for: "/r/dx") == 4)  // a sibling sharing the prefix stays

        table.attach(detached, at: "/s/moved", root: "/s")
        #expect(table.entry(for: 2) == WatchTable.Entry(path: "/s/moved", root: "/s"))
        #expect(table.entry(for: 3) == WatchTable.Entry(path: "/s/moved/e", root: "/s"))
        #expect(Set(table.descriptors(ofRoot: "/s")) == [2, 3, 5])
    }
}
