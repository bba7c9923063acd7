import Foundation
import Glibc
import Synchronization
import Testing
@testable import Ingest

/// Collects a watcher's batches on a task so tests can wait for events with a deadline.
private final class EventRecorder: Sendable {
    private struct Log {
        var events: [WatchEvent] = []
        var isFinished = false
    }

    private let log = Mutex(Log())

    init(_ stream: AsyncStream<[WatchEvent]>) {
        Task {
            for await batch in stream {
                log.withLock { $0.events += batch }
            }
            log.withLock { $0.isFinished = true }
        }
    }

    var events: [WatchEvent] { log.withLock { $0.events } }
    var isFinished: Bool { log.withLock { $0.isFinished } }

    /// Polls until `condition` holds or `timeout` passes; returns whether it held. Generous: when the
    /// whole suite runs on two cores, heavy tests can hold the threads for a while.
    @discardableResult
    func wait(timeout: Duration = .seconds(30), until condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    /// Waits until every event in `expected` has arrived.
    @discardableResult
    func wait(for expected: [WatchEvent]) async -> Bool {
        await wait { expected.allSatisfy(events.contains) }
    }

    /// Everything received after a further quiet `period`: lets tests assert that nothing more comes.
    func settled(for period: Duration = DirectoryWatcherTests.quietPeriod) async -> [WatchEvent] {
        try? await Task.sleep(for: period)
        return events
    }
}

private extension Int32 {
    /// Closes a descriptor returned by `creat`/`open`; false if there was none.
    func closing() -> Bool {
        guard self >= 0 else { return false }
        return close(self) == 0
    }
}

/// A temp directory, a watcher with a short debounce and a recorder; cleaned up by `run`.
private struct Fixture {
    let root: String
    let watcher: DirectoryWatcher
    let recorder: EventRecorder

    static func run(
        addWatch: WatcherCore.AddWatch? = nil,
        _ body: (Fixture) async throws -> Void
    ) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("watch-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let watcher = try DirectoryWatcher(
            debounce: DirectoryWatcherTests.debounce, addWatch: addWatch ?? WatcherCore.systemAddWatch
        )
        defer { watcher.stop() }
        try await body(Fixture(root: root, watcher: watcher, recorder: EventRecorder(watcher.events)))
    }

    func path(_ relative: String) -> String { root + "/" + relative }

    func write(_ relative: String, _ text: String = "x") throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path(relative)))
    }

    func makeDirectory(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: path(relative), withIntermediateDirectories: true)
    }

    func watchAll() throws {
        try watcher.watch(root: root) { _ in true }
    }
}

@Suite struct DirectoryWatcherTests {
    static let debounce = Duration.milliseconds(100)
    /// Long enough for anything still settling to have been delivered.
    static let quietPeriod = Duration.milliseconds(350)

    @Test func createdFileIsReportedOnceAfterTheDebounce() async throws {
        try await Fixture.run { fixture in
            try fixture.watchAll()
            #expect(fixture.watcher.watchedDirectoryCount == 1)
            let written = ContinuousClock.now
            try fixture.write("a.txt")
            #expect(await fixture.recorder.wait(for: [.changed(path: fixture.path("a.txt"))]))
            #expect(written.duration(to: .now) >= Self.debounce)
            #expect(await fixture.recorder.settled() == [.changed(path: fixture.path("a.txt"))])
        }
    }

    @Test func burstOfAppendsIsOneChange() async throws {
        try await Fixture.run { fixture in
            try fixture.watchAll()
            try fixture.write("log.txt", "")
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: fixture.path("log.txt")))
            // No pauses: a sleep between appends could outlast the debounce on a loaded machine.
            for line in 0..<200 {
                try handle.write(contentsOf: Data("line \(line)\n".utf8))
            }
            try handle.close()
            #expect(await fixture.recorder.wait(for: [.changed(path: fixture.path("log.txt"))]))
            let events = await fixture.recorder.settled()
            #expect(events == [.changed(path: fixture.path("log.txt"))])
        }
    }

    /// An atomic save writes a temporary file and renames it over the target: only the target is
    /// reported, because the temporary file appeared and vanished within one quiet period.
    @Test func atomicSaveReportsOnlyTheTarget() async throws {
        try await Fixture.run { fixture in
            try fixture.write("doc.txt", "old")
            try fixture.watchAll()
            try Data("new".utf8).write(to: URL(fileURLWithPath: fixture.path("doc.txt")), options: .atomic)
            #expect(await fixture.recorder.wait(for: [.changed(path: fixture.path("doc.txt"))]))
            let events = await fixture.recorder.settled()
            #expect(events == [.changed(path: fixture.path("doc.txt"))])
        }
    }

    @Test func attributeChangeIsAChange() async throws {
        try await Fixture.run { fixture in
            try fixture.write("a.txt")
            try fixture.watchAll()
            #expect(chmod(fixture.path("a.txt"), 0o600) == 0)
            #expect(await fixture.recorder.wait(for: [.changed(path: fixture.path("a.txt"))]))
            #expect(await fixture.recorder.settled() == [.changed(path: fixture.path("a.txt"))])
        }
    }

    /// Permission changes are told at once, apart from the debounced events: the daemon's cached
    /// access decisions must not outlive a chmod. The debounce here is a minute, so a path heard of
    /// before it could only have come from the immediate report.
    @Test func attributeChangesAreToldAtOnceNotDebounced() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("watch-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/sub", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/sub/a.txt"))
        let told = Mutex<[String?]>([])
        let watcher = try DirectoryWatcher(debounce: .seconds(60)) { path in told.withLock { $0.append(path) } }
        defer { watcher.stop() }
        let recorder = EventRecorder(watcher.events)
        try watcher.watch(root: root) { _ in true }
        func heard(_ path: String) async -> Bool {
            await recorder.wait { told.withLock { $0.contains(path) } }
        }
        #expect(chmod(root + "/sub/a.txt", 0o600) == 0)
        #expect(await heard(root + "/sub/a.txt"), "a file's chmod")
        #expect(chmod(root + "/sub", 0o700) == 0)
        #expect(await heard(root + "/sub"), "a directory's chmod")
        #expect(chmod(root, 0o750) == 0)
        #expect(await heard(root), "the root's own chmod")
        #expect(recorder.events.isEmpty, "the debounced events are still waiting: \(recorder.events)")
        try Data("y".utf8).write(to: URL(fileURLWithPath: root + "/sub/b.txt"))
        try await Task.sleep(for: .milliseconds(300))
        #expect(!told.withLock { $0.contains(root + "/sub/b.txt") }, "writing a file is no permission change")
    }

    @Test func deletedFileIsRemoved() async throws {
        try await Fixture.run { fixture in
            try fixture.write("a.txt")
            try fixture.watchAll()
            try FileManager.default.removeItem(atPath: fixture.path("a.txt"))
            #expect(await fixture.recorder.wait(for: [.removed(path: fixture.path("a.txt"))]))
            #expect(await fixture.recorder.settled() == [.removed(path: fixture.path("a.txt"))])
        }
    }

    @Test func deleteThenRecreateIsOneChange() async throws {
        try await Fixture.run { fixture in
            try fixture.write("a.txt")
            try fixture.watchAll()
            try FileManager.default.removeItem(atPath: fixture.path("a.txt"))
            try fixture.write("a.txt", "new")
            #expect(await fixture.recorder.wait(for: [.changed(path: fixture.path("a.txt"))]))
            #expect(await fixture.recorder.settled() == [.changed(path: fixture.path("a.txt"))])
        }
    }

    @Test func renameWithinTheTreeIsRemovedPlusChanged() async throws {
        try await Fixture.run { fixture in
            try fixture.write("old.txt")
            try fixture.watchAll()
            try FileManager.default.moveItem(atPath: fixture.path("old.txt"), toPath: fixture.path("new.txt"))
            let expected: [WatchEvent] = [.removed(path: fixture.path("old.txt")), .changed(path: fixture.path("new.txt"))]
            #expect(await fixture.recorder.wait(for: expected))
            let events = await fixture.recorder.settled()
            #expect(events.count == 2)
            #expect(Set(events.compactMap(\.path)) == Set(expected.compactMap(\.path)))
        }
    }

    /// `mkdir -p` races the watcher: the directories below the first new one may exist before their
    /// watches do, so they are found by the walk (and not reported). Files created in that window
    /// are not reported either; the consumer finds them by scanning each `.directoryAdded` path.
    /// Once the tree is watched, new files are reported.
    @Test func nestedNewDirectoriesAreWatched() async throws {
        try await Fixture.run { fixture in
            try fixture.watchAll()
            try fixture.makeDirectory("a/b/c")
            #expect(await fixture.recorder.wait(for: [.directoryAdded(path: fixture.path("a"))]))
            #expect(await fixture.recorder.wait { fixture.watcher.watchedDirectoryCount == 4 })

            try fixture.write("a/b/c/f.txt")
            #expect(await fixture.recorder.wait(for: [.changed(path: fixture.path("a/b/c/f.txt"))]))
            for event in await fixture.recorder.settled() {
                guard case .directoryAdded(let path) = event else { continue }
                #expect([fixture.path("a"), fixture.path("a/b"), fixture.path("a/b/c")].contains(path))
            }
        }
    }

    @Test func excludedDirectoriesProduceNoEvents() async throws {
        try await Fixture.run { fixture in
            try fixture.makeDirectory("skip")
            try fixture.makeDirectory("keep")
            try fixture.watcher.watch(root: fixture.root) { directory in
                !directory.hasSuffix("/skip") && !directory.hasSuffix("/node_modules")
            }
            #expect(fixture.watcher.watchedDirectoryCount == 2)

            try fixture.write("skip/x.txt")
            try fixture.makeDirectory("node_modules")
            try fixture.write("node_modules/y.txt")
            try fixture.write("keep/z.txt")
            #expect(await fixture.recorder.wait(for: [.changed(path: fixture.path("keep/z.txt"))]))
            #expect(await fixture.recorder.settled() == [.changed(path: fixture.path("keep/z.txt"))])
            #expect(fixture.watcher.watchedDirectoryCount == 2)
        }
    }

    @Test func unwatchStopsEventsForThatRootOnly() async throws {
        try await Fixture.run { fixture in
            try fixture.makeDirectory("one")
            try fixture.makeDirectory("two")
            try fixture.watcher.watch(root: fixture.path("one")) { _ in true }
            try fixture.watcher.watch(root: fixture.path("two") + "/") { _ in true }
            #expect(fixture.watcher.watchedDirectoryCount == 2)

            fixture.watcher.unwatch(root: fixture.path("one"))
            #expect(fixture.watcher.watchedDirectoryCount == 1)
            try fixture.write("one/a.txt")
            try fixture.write("two/b.txt")
            #expect(await fixture.recorder.wait(for: [.changed(path: fixture.path("two/b.txt"))]))
            #expect(await fixture.recorder.settled() == [.changed(path: fixture.path("two/b.txt"))])
        }
    }

    @Test func stopEndsTheStream() async throws {
        try await Fixture.run { fixture in
            try fixture.watchAll()
            #expect(!fixture.recorder.isFinished)
            fixture.watcher.stop()
            #expect(await fixture.recorder.wait { fixture.recorder.isFinished })
            fixture.watcher.stop()
            #expect(throws: WatcherError.stopped) { try fixture.watchAll() }
        }
    }

    @Test func stopDeliversWhatWasStillSettling() async throws {
        try await Fixture.run { fixture in
            try fixture.watchAll()
            try fixture.write("a.txt")
            fixture.watcher.stop()
            #expect(await fixture.recorder.wait { fixture.recorder.isFinished })
            #expect(fixture.recorder.events == [.changed(path: fixture.path("a.txt"))])
        }
    }

    @Test func missingRootThrows() async throws {
        try await Fixture.run { fixture in
            #expect {
                try fixture.watcher.watch(root: fixture.path("absent")) { _ in true }
            } throws: { error in
                guard case .cannotWatch(let path, _) = error as? WatcherError else { return false }
                return path == fixture.path("absent")
            }
            try fixture.write("file")
            #expect(throws: WatcherError.self) { try fixture.watcher.watch(root: fixture.path("file")) { _ in true } }
            #expect(fixture.watcher.watchedDirectoryCount == 0)
        }
    }

    @Test func deletedDirectoryIsRemoved() async throws {
        try await Fixture.run { fixture in
            try fixture.makeDirectory("d/sub")
            try fixture.write("d/sub/x.txt")
            try fixture.watchAll()
            #expect(fixture.watcher.watchedDirectoryCount == 3)
            try FileManager.default.removeItem(atPath: fixture.path("d"))
            #expect(await fixture.recorder.wait(for: [.removed(path: fixture.path("d")), .removed(path: fixture.path("d/sub/x.txt"))]))
            #expect(await fixture.recorder.wait { fixture.watcher.watchedDirectoryCount == 1 })
            #expect(await fixture.recorder.settled().allSatisfy { if case .removed = $0 { true } else { false } })
        }
    }

    @Test func directoryRenamedWithinTheTreeKeepsItsWatches() async throws {
        try await Fixture.run { fixture in
            try fixture.makeDirectory("d/sub")
            try fixture.watchAll()
            #expect(fixture.watcher.watchedDirectoryCount == 3)
            try FileManager.default.moveItem(atPath: fixture.path("d"), toPath: fixture.path("e"))
            #expect(await fixture.recorder.wait(for: [.removed(path: fixture.path("d")), .directoryAdded(path: fixture.path("e"))]))
            #expect(fixture.watcher.watchedDirectoryCount == 3)

            try fixture.write("e/sub/f.txt")
            #expect(await fixture.recorder.wait(for: [.changed(path: fixture.path("e/sub/f.txt"))]))
            #expect(await fixture.recorder.settled().count == 3)
        }
    }

    @Test func directoryMovedOutIsRemovedAndUnwatched() async throws {
        try await Fixture.run { fixture in
            try fixture.makeDirectory("inside/d/sub")
            try fixture.makeDirectory("outside")
            try fixture.watcher.watch(root: fixture.path("inside")) { _ in true }
            #expect(fixture.watcher.watchedDirectoryCount == 3)
            try FileManager.default.moveItem(atPath: fixture.path("inside/d"), toPath: fixture.path("outside/d"))
            #expect(await fixture.recorder.wait(for: [.removed(path: fixture.path("inside/d"))]))
            #expect(await fixture.recorder.wait { fixture.watcher.watchedDirectoryCount == 1 })

            try fixture.write("outside/d/sub/f.txt")
            #expect(await fixture.recorder.settled() == [.removed(path: fixture.path("inside/d"))])
        }
    }

    @Test func directoryMovedInIsAdded() async throws {
        try await Fixture.run { fixture in
            try fixture.makeDirectory("inside")
            try fixture.makeDirectory("outside/d/sub")
            try fixture.watcher.watch(root: fixture.path("inside")) { _ in true }
            try FileManager.default.moveItem(atPath: fixture.path("outside/d"), toPath: fixture.path("inside/d"))
            #expect(await fixture.recorder.wait(for: [.directoryAdded(path: fixture.path("inside/d"))]))
            #expect(await fixture.recorder.wait { fixture.watcher.watchedDirectoryCount == 3 })
        }
    }

    /// Symlinks to directories below a root are reported like files but never descended into.
    @Test func symlinkedDirectoriesAreNotFollowed() async throws {
        try await Fixture.run { fixture in
            try fixture.makeDirectory("tree")
            try fixture.makeDirectory("elsewhere")
            try FileManager.default.createSymbolicLink(atPath: fixture.path("tree/link"), withDestinationPath: fixture.path("elsewhere"))
            try fixture.watcher.watch(root: fixture.path("tree")) { _ in true }
            #expect(fixture.watcher.watchedDirectoryCount == 1)
            try fixture.write("elsewhere/x.txt")
            #expect(await fixture.recorder.settled() == [])
        }
    }

    /// Fails `inotify_add_watch` with ENOSPC for directories named "full", as the kernel does when
    /// `fs.inotify.max_user_watches` is exhausted.
    private static let limitedAddWatch: WatcherCore.AddWatch = { descriptor, path, mask in
        path.hasSuffix("/full") ? -ENOSPC : WatcherCore.systemAddWatch(descriptor, path, mask)
    }

    @Test func watchLimitIsReportedNotThrown() async throws {
        try await Fixture.run(addWatch: Self.limitedAddWatch) { fixture in
            try fixture.makeDirectory("full/below")
            try fixture.makeDirectory("ok")
            try fixture.watchAll()
            #expect(fixture.watcher.watchedDirectoryCount == 2)
            #expect(await fixture.recorder.wait(for: [.watchLimitReached(path: fixture.path("full"))]))

            try fixture.makeDirectory("new/full")
            #expect(await fixture.recorder.wait(for: [
                .directoryAdded(path: fixture.path("new")), .watchLimitReached(path: fixture.path("new/full")),
            ]))
            #expect(fixture.watcher.watchedDirectoryCount == 3)
        }
    }

    @Test func watchLimitAtTheRootIsReportedNotThrown() async throws {
        try await Fixture.run(addWatch: Self.limitedAddWatch) { fixture in
            try fixture.makeDirectory("full")
            try fixture.watcher.watch(root: fixture.path("full")) { _ in true }
            #expect(fixture.watcher.watchedDirectoryCount == 0)
            #expect(await fixture.recorder.wait(for: [.watchLimitReached(path: fixture.path("full"))]))
        }
    }

    /// Stalls the reader inside `inotify_add_watch` for a new directory named "slow" until the test
    /// has filled the kernel queue behind it. Tens of thousands of events: on a loaded 2-core machine
    /// (the whole suite runs in parallel) it took minutes, so it runs only when asked for with
    /// SOTTO_SLOW_TESTS=1. The consumer's side of an overflow is covered by IndexerTests.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SOTTO_SLOW_TESTS"] == "1", "slow; set SOTTO_SLOW_TESTS=1"))
    func queueOverflowIsReported() async throws {
        let limit = try String(contentsOfFile: "/proc/sys/fs/inotify/max_queued_events", encoding: .utf8)
        let maxQueuedEvents = try #require(Int(limit.trimmingCharacters(in: .whitespacesAndNewlines)))
        try #require(maxQueuedEvents <= 65536, "the queue is too long to overflow quickly")
        let queueFilled = DispatchSemaphore(value: 0)
        let isStalled = Mutex(false)
        let stallingAddWatch: WatcherCore.AddWatch = { descriptor, path, mask in
            if path.hasSuffix("/slow") {
                isStalled.withLock { $0 = true }
                _ = queueFilled.wait(timeout: .now() + 10)
            }
            return WatcherCore.systemAddWatch(descriptor, path, mask)
        }
        try await Fixture.run(addWatch: stallingAddWatch) { fixture in
            try fixture.watchAll()
            try fixture.makeDirectory("slow")
            #expect(await fixture.recorder.wait { isStalled.withLock { $0 } })
            // The queue behind the stalled reader is empty now. Each chmod queues an IN_ATTRIB; the
            // kernel merges an event only with an identical one just before it, so alternate files.
            try fixture.write("a")
            try fixture.write("b")
            let files = [fixture.path("a"), fixture.path("b")]
            let changeCount = maxQueuedEvents + 200
            let changed = (0..<changeCount).count { chmod(files[$0 % 2], $0 % 4 < 2 ? 0o644 : 0o640) == 0 }
            queueFilled.signal()
            #expect(changed == changeCount)
            #expect(await fixture.recorder.wait(for: [.overflow]))
        }
    }

    @Test func releasedWatcherStopsItsReader() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("watch-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        var watcher: DirectoryWatcher? = try DirectoryWatcher(debounce: Self.debounce)
        let recorder = try EventRecorder(#require(watcher).events)
        try watcher?.watch(root: root) { _ in true }
        watcher = nil  // deinit must stop and join the reader, which ends the stream
        #expect(await recorder.wait { recorder.isFinished })
    }
}
