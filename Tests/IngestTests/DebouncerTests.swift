import Testing
@testable import Ingest

@Suite struct DebouncerTests {
    private let start = ContinuousClock.now
    private func at(_ milliseconds: Int) -> ContinuousClock.Instant { start + .milliseconds(milliseconds) }

    @Test func eventIsDueOnlyAfterAQuietInterval() {
        var debouncer = Debouncer(interval: .milliseconds(100))
        debouncer.record(.changed(path: "/r/a"), at: at(0))
        debouncer.record(.changed(path: "/r/a"), at: at(60))  // restarts the quiet period
        #expect(debouncer.nextDeadline == at(160))
        #expect(debouncer.takeDue(at: at(159)) == [])
        #expect(debouncer.takeDue(at: at(160)) == [.changed(path: "/r/a")])
        #expect(debouncer.isEmpty)
        #expect(debouncer.nextDeadline == nil)
    }

    @Test func lastWordWinsForAPathThatExisted() {
        var debouncer = Debouncer(interval: .milliseconds(100))
        debouncer.record(.changed(path: "/r/a"), at: at(0))
        debouncer.record(.removed(path: "/r/a"), at: at(10))
        #expect(debouncer.takeAll() == [.removed(path: "/r/a")])

        debouncer.record(.removed(path: "/r/b"), at: at(0))
        debouncer.record(.changed(path: "/r/b"), at: at(10), appeared: true)  // re-created
        #expect(debouncer.takeAll() == [.changed(path: "/r/b")])
        // Deleted, re-created and deleted again: it existed before, so the consumer must hear of it.
        debouncer.record(.removed(path: "/r/c"), at: at(0))
        debouncer.record(.changed(path: "/r/c"), at: at(10), appeared: true)
        debouncer.record(.removed(path: "/r/c"), at: at(20))
        #expect(debouncer.takeAll() == [.removed(path: "/r/c")])
    }

    @Test func pathThatAppearedAndVanishedLeavesNoEvent() {
        var debouncer = Debouncer(interval: .milliseconds(100))
        debouncer.record(.changed(path: "/r/.tmp"), at: at(0), appeared: true)
        debouncer.record(.changed(path: "/r/.tmp"), at: at(5))
        debouncer.record(.removed(path: "/r/.tmp"), at: at(10))
        debouncer.record(.directoryAdded(path: "/r/d"), at: at(0), appeared: true)
        debouncer.record(.removed(path: "/r/d"), at: at(10))
        #expect(debouncer.isEmpty)
    }

    @Test func dueEventsComeOldestFirstAndOthersWait() {
        var debouncer = Debouncer(interval: .milliseconds(100))
        debouncer.record(.changed(path: "/r/b"), at: at(20))
        debouncer.record(.removed(path: "/r/a"), at: at(10))
        debouncer.record(.changed(path: "/r/c"), at: at(90))
        #expect(debouncer.takeDue(at: at(150)) == [.removed(path: "/r/a"), .changed(path: "/r/b")])
        #expect(debouncer.takeAll() == [.changed(path: "/r/c")])
    }

    @Test func overflowIsNeverDebounced() {
        var debouncer = Debouncer(interval: .milliseconds(100))
        debouncer.record(.overflow, at: at(0))
        #expect(debouncer.isEmpty)
    }

    @Test func discardForgetsATreeButNotItsSiblings() {
        var debouncer = Debouncer(interval: .milliseconds(100))
        for path in ["/r/d", "/r/d/x", "/r/d/e/y", "/r/dx", "/r/z"] {
            debouncer.record(.changed(path: path), at: at(0))
        }
        debouncer.discard(below: "/r/d")
        #expect(Set(debouncer.takeAll().compactMap(\.path)) == ["/r/d", "/r/dx", "/r/z"])

        for path in ["/r/d", "/r/d/x", "/r/dx"] {
            debouncer.record(.changed(path: path), at: at(0))
        }
        debouncer.discard(under: "/r/d")
        #expect(debouncer.takeAll() == [.changed(path: "/r/dx")])
    }
}
