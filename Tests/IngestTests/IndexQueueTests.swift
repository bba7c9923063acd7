import Testing
@testable import Ingest

/// The indexer's queue with instants given by the test: what a pass takes, and what waits.
@Suite struct IndexQueueTests {
    private let start = ContinuousClock.now
    private func at(_ milliseconds: Int) -> ContinuousClock.Instant { start + .milliseconds(milliseconds) }

    @Test func aPassTakesEverythingDueAndLeavesTheRest() {
        var queue = IndexQueue()
        queue.noteChanged("/r/b.md")
        queue.noteChanged("/r/a.md")
        queue.noteRemoved("/r/gone.md", due: at(100))
        queue.noteRemoved("/r/later.md", due: at(900))
        queue.retry("/r/busy.md", at: at(50))
        #expect(queue.count == 5)
        #expect(queue.hasWork(at: at(0)))

        let work = queue.take(at: at(100), roots: ["/r"])
        #expect(work == IndexQueue.Work(changed: ["/r/a.md", "/r/b.md", "/r/busy.md"], removals: ["/r/gone.md"]))
        #expect(queue.count == 1)
        #expect(!queue.hasWork(at: at(899)), "a removal waits for its grace period")
        #expect(queue.nextDeadline == at(900))
        #expect(queue.hasWork(at: at(900)))
    }

    @Test func aFullScanTakesEveryKnownRootAndTheSubtreesOutsideThem() {
        var queue = IndexQueue()
        queue.requestFullScan()
        queue.requestScan(subtree: "/r/new")
        queue.requestScan(subtree: "/other/new")
        let work = queue.take(at: at(0), roots: ["/r", "/s"])
        #expect(work.isFullScan)
        #expect(work.roots == ["/r", "/s"])
        #expect(work.subtrees == ["/other/new"], "a subtree of a root scanned whole is scanned with it")
        #expect(queue.count == 0)
        #expect(!queue.hasWork(at: at(0)))
    }

    @Test func aScanOfOneRootKeepsSubtreesOfSimilarlyNamedRoots() {
        var queue = IndexQueue()
        queue.requestScan(root: "/data")
        queue.requestScan(root: "/removed")
        queue.requestScan(subtree: "/data/new")
        queue.requestScan(subtree: "/data2/new")
        let work = queue.take(at: at(0), roots: ["/data", "/data2"])
        #expect(!work.isFullScan)
        #expect(work.roots == ["/data"], "a root that is no longer known is not scanned")
        #expect(work.subtrees == ["/data2/new"])
    }

    @Test func aMoveCancelsTheRemovalOfItsOldName() {
        var queue = IndexQueue()
        queue.noteRemoved("/r/old.pdf", due: at(100))
        queue.noteRemoved("/r/other.md", due: at(100))
        #expect(queue.pendingRemovals == ["/r/old.pdf", "/r/other.md"])
        queue.cancelRemoval(of: "/r/old.pdf")
        #expect(queue.take(at: at(100), roots: ["/r"]).removals == ["/r/other.md"])
    }

    @Test func removingARootDropsItsWorkOnly() {
        var queue = IndexQueue()
        queue.requestScan(root: "/r")
        queue.requestScan(subtree: "/r/sub")
        queue.noteChanged("/r/a.md")
        queue.noteChanged("/r2/a.md")
        queue.noteRemoved("/r/b.md", due: at(0))
        queue.retry("/r/c.md", at: at(0))
        queue.dropWork(under: "/r")
        #expect(queue.count == 1)
        #expect(queue.take(at: at(0), roots: ["/r2"]) == IndexQueue.Work(changed: ["/r2/a.md"]))
    }
}
