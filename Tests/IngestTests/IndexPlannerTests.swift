import Extract
import Foundation
import Storage
import Testing
@testable import Ingest

/// The planner alone: stored records and what a walk found in, a plan out; no disk, no store.
@Suite struct IndexPlannerTests {
    let root = RootRecord(id: 1, path: "/r", include: [], exclude: [], useDefaultExcludes: true, addedAt: Date(timeIntervalSince1970: 0))

    func file(_ path: String, inode: UInt64, size: Int64 = 10, mtime: Int64 = 100) -> DiscoveredFile {
        DiscoveredFile(path: path, device: 7, inode: inode, size: size, mtimeNanoseconds: mtime)
    }

    func stored(
        _ id: Int64, _ path: String, inode: Int64, size: Int64 = 10, mtime: Int64 = 100, status: DocumentStatus = .indexed,
        reason: String? = nil, crashCount: Int = 0, extractedWith: String? = nil
    ) -> DocumentRecord {
        var document = DocumentRecord(
            id: id, rootId: 1, path: path, device: 7, inode: inode, size: size, mtimeNanoseconds: mtime, contentHash: "h\(id)",
            status: status, reason: reason, encoding: nil, kind: nil, chunkCount: 1, indexedAt: Date(timeIntervalSince1970: 0))
        document.crashCount = crashCount
        document.extractedWith = extractedWith
        return document
    }

    /// Every format read, by the extractors "x1".
    static let readers = IndexPlanner.Readers(formats: Set(DocumentFormat.allCases), extractor: "x1")

    func plan(
        _ walk: WalkResult, stored: [DocumentRecord], subtree: String? = nil, readers: IndexPlanner.Readers = Self.readers
    ) -> IndexPlan {
        var plan = IndexPlan()
        IndexPlanner.plan(walk: walk, of: root, subtree: subtree, stored: stored, readers: readers, into: &plan)
        return plan
    }

    @Test func unchangedFilesAreCountedAndChangedOrNewOnesRead() {
        let same = stored(1, "/r/same.md", inode: 11)
        let edited = stored(2, "/r/edited.md", inode: 12)
        let walk = WalkResult(files: [
            file("/r/same.md", inode: 11), file("/r/edited.md", inode: 12, mtime: 200), file("/r/new.md", inode: 13),
        ])
        let result = plan(walk, stored: [same, edited])
        #expect(result.unchanged == 1)
        #expect(result.actions == [
            .index(file("/r/edited.md", inode: 12, mtime: 200), root: root, previous: edited),
            .index(file("/r/new.md", inode: 13), root: root, previous: nil),
        ])
        #expect(result.vanished.isEmpty)
    }

    @Test func aDocumentWithoutItsFileVanishes() {
        let gone = stored(1, "/r/gone.md", inode: 11)
        let result = plan(WalkResult(), stored: [gone])
        #expect(result.actions.isEmpty)
        #expect(result.vanished == [1: gone])
    }

    @Test func aNewNameWithAVanishedDocumentsInodeAndSizeIsAMove() {
        let old = stored(1, "/r/old.md", inode: 11)
        let result = plan(WalkResult(files: [file("/r/sub/new.md", inode: 11, mtime: 300)]), stored: [old])
        #expect(result.actions == [.maybeMove(file("/r/sub/new.md", inode: 11, mtime: 300), root: root, from: old)])
        // Still vanished until the move is confirmed by the bytes' hash.
        #expect(result.vanished == [1: old])
    }

    /// Extracted documents move like text files (a mail client moves a message from new/ to cur/),
    /// but a new name that is read another way makes a new document.
    @Test(arguments: [
        ("/r/report.pdf", "/r/archive/report.pdf", true),
        ("/r/Mail/new/1700000000.M1P2.host", "/r/Mail/cur/1700000000.M1P2.host:2,S", true),
        ("/r/deck.pptx", "/r/Deck (final).pptx", true),
        ("/r/notes.txt", "/r/notes.md", true),
        ("/r/report.pdf", "/r/report.pdf.bak", false),
        ("/r/notes.txt", "/r/notes.docx", false),
        ("/r/letter.docx", "/r/letter.odt", false),
    ])
    func aMoveNeedsANameReadTheSameWay(from: String, to: String, moves: Bool) {
        let old = stored(1, from, inode: 11)
        let result = plan(WalkResult(files: [file(to, inode: 11)]), stored: [old])
        let expected: IndexPlan.Action = moves
            ? .maybeMove(file(to, inode: 11), root: root, from: old) : .index(file(to, inode: 11), root: root, previous: nil)
        #expect(result.actions == [expected])
        #expect(result.vanished == [1: old], "vanished until a move is confirmed by the bytes' hash")
    }

    @Test func onlyAnIndexedDocumentOfTheSameSizeMoves() {
        let failed = stored(1, "/r/a.md", inode: 11, status: .failed, reason: "permission denied")
        let resized = stored(2, "/r/b.md", inode: 12)
        let result = plan(
            WalkResult(files: [file("/r/a2.md", inode: 11), file("/r/b2.md", inode: 12, size: 99)]), stored: [failed, resized])
        #expect(result.actions == [
            .index(file("/r/a2.md", inode: 11), root: root, previous: nil),
            .index(file("/r/b2.md", inode: 12, size: 99), root: root, previous: nil),
        ])
        #expect(Set(result.vanished.keys) == [1, 2])
    }

    @Test func whatTheExtractorsExplainedIsNotReadAgainUntilTheFileOrTheyChange() {
        // Encrypted, no text layer: the same extractors would only say so again.
        let encrypted = stored(1, "/r/locked.pdf", inode: 11, status: .failed, reason: "password-protected", extractedWith: "x1")
        let killedOnce = stored(2, "/r/once.pdf", inode: 12, status: .failed, reason: "timed out after 60 s", crashCount: 1, extractedWith: "x1")
        let noStart = stored(3, "/r/nostart.pdf", inode: 13, status: .failed, reason: "extractor failed: fork")
        let files = [file("/r/locked.pdf", inode: 11), file("/r/once.pdf", inode: 12), file("/r/nostart.pdf", inode: 13)]
        let result = plan(WalkResult(files: files), stored: [encrypted, killedOnce, noStart])
        #expect(result.unchanged == 1)
        #expect(result.actions == [
            .index(files[1], root: root, previous: killedOnce),  // a second kill would quarantine it
            .index(files[2], root: root, previous: noStart),  // the extractor said nothing of the file
        ])
        // Other extractors (a new build, OCR switched on, another poppler) may read it.
        let upgraded = plan(WalkResult(files: [files[0]]), stored: [encrypted], readers: .init(formats: Self.readers.formats, extractor: "x2"))
        #expect(upgraded.actions == [.index(files[0], root: root, previous: encrypted)])
        // So may the same ones, once the file changes.
        let edited = file("/r/locked.pdf", inode: 11, mtime: 900)
        #expect(plan(WalkResult(files: [edited]), stored: [encrypted]).actions == [.index(edited, root: root, previous: encrypted)])
    }

    @Test func aFormatTheSettingsNameOrLeaveOutAgainIsReadAgain() {
        let leftOut = stored(1, "/r/table.csv", inode: 11, status: .skipped, reason: IndexPlanner.leftOutReason(.csv))
        let indexed = stored(2, "/r/lease.pdf", inode: 12, extractedWith: "x1")
        let files = [file("/r/table.csv", inode: 11), file("/r/lease.pdf", inode: 12)]
        // Both as they were recorded: PDF read, CSV left out.
        let same = plan(WalkResult(files: files), stored: [leftOut, indexed], readers: .init(formats: [.pdf], extractor: "x1"))
        #expect(same.unchanged == 2 && same.actions.isEmpty)
        // The settings now name CSV and leave PDF out: both are read (the PDF to be recorded as skipped).
        let swapped = plan(WalkResult(files: files), stored: [leftOut, indexed], readers: .init(formats: [.csv], extractor: "x1"))
        #expect(swapped.unchanged == 0)
        #expect(swapped.actions == [
            .index(files[0], root: root, previous: leftOut), .index(files[1], root: root, previous: indexed),
        ])
    }

    @Test func failedDocumentsAreRetriedButQuarantinedOnesAreNot() {
        let failed = stored(1, "/r/a.md", inode: 11, status: .failed, reason: "permission denied")
        let quarantined = stored(2, "/r/b.pdf", inode: 12, status: .failed, reason: "quarantined", crashCount: 2)
        let result = plan(WalkResult(files: [file("/r/a.md", inode: 11), file("/r/b.pdf", inode: 12)]), stored: [failed, quarantined])
        #expect(result.actions == [.index(file("/r/a.md", inode: 11), root: root, previous: failed)])
        #expect(result.unchanged == 1)
    }

    @Test func aWalkProblemIsRecordedOnceWithTheSameReason() {
        let recorded = stored(1, "/r/locked", inode: 0, status: .failed, reason: "permission denied reading the directory")
        let walk = WalkResult(problems: [
            WalkProblem(path: "/r/locked", reason: "permission denied reading the directory"),
            WalkProblem(path: "/r/loop", reason: "symbolic link loop"),
        ])
        let result = plan(walk, stored: [recorded])
        #expect(result.unchanged == 1)
        #expect(result.actions == [.fail(path: "/r/loop", root: root, reason: "symbolic link loop")])
        #expect(result.vanished.isEmpty, "a path with a problem is not gone")
    }

    @Test func aSubtreeScanLooksOnlyInsideTheSubtreeAndAtItsOwnPath() {
        let outside = stored(1, "/r/other/a.md", inode: 11)
        let sibling = stored(2, "/r/sub-old.md", inode: 12)
        let replaced = stored(3, "/r/sub", inode: 13)
        let inside = stored(4, "/r/sub/gone.md", inode: 14)
        let result = plan(WalkResult(files: [file("/r/sub/a.md", inode: 20)]), stored: [outside, sibling, replaced, inside], subtree: "/r/sub")
        #expect(Set(result.vanished.keys) == [3, 4], "a file the directory replaced, and one gone from inside it")
        #expect(result.actions == [.index(file("/r/sub/a.md", inode: 20), root: root, previous: nil)])
    }

    @Test func aChangedFileIsReadUnlessTheStoreHasItAsItIs() {
        let previous = stored(1, "/r/a.md", inode: 11)
        #expect(IndexPlanner.action(forChanged: file("/r/a.md", inode: 11), root: root, previous: previous, moveSources: [], readers: Self.readers) == nil)
        let edited = file("/r/a.md", inode: 11, mtime: 500)
        #expect(IndexPlanner.action(forChanged: edited, root: root, previous: previous, moveSources: [], readers: Self.readers)
            == .index(edited, root: root, previous: previous))
    }

    @Test func aChangedNewPathClaimsAPendingRemovalWithItsInode() {
        let other = stored(1, "/r/x.pdf", inode: 99)
        let source = stored(2, "/r/a.pdf", inode: 11)
        let moved = file("/r/b.pdf", inode: 11)
        #expect(IndexPlanner.action(forChanged: moved, root: root, previous: nil, moveSources: [other, source], readers: Self.readers)
            == .maybeMove(moved, root: root, from: source))
        #expect(IndexPlanner.action(forChanged: moved, root: root, previous: nil, moveSources: [other], readers: Self.readers)
            == .index(moved, root: root, previous: nil))
    }
}
