import Extract
import Storage

/// Decides what a pass does from what the store holds and what the disk showed, touching neither:
/// the walking, statting and reading happen before (``FileWalker``) and after (``Indexer``).
enum IndexPlanner {
    /// Adds to `plan` what a walk of `root`, or of `subtree` inside it, means for the documents the
    /// store holds for that root: unchanged files are counted, changed and new ones read, a new
    /// path with a vanished document's inode checked as a move, and documents without a file
    /// marked vanished. `readers` are what reads documents now (``isUnchanged(_:_:readers:)``).
    static func plan(
        walk: WalkResult, of root: RootRecord, subtree: String?, stored: [DocumentRecord], readers: Readers,
        into plan: inout IndexPlan
    ) {
        // A subtree's own path is in scope too: a document there is a file this directory replaced.
        let inScope = stored.filter { document in
            subtree.map { document.path == $0 || document.path.hasPrefix($0 + "/") } ?? true
        }
        var byPath: [String: DocumentRecord] = [:]
        for document in inScope { byPath[document.path] = document }

        var seen = Set(walk.files.map(\.path))
        for problem in walk.problems { seen.insert(problem.path) }
        var vanishedByInode: [InodeKey: DocumentRecord] = [:]
        for document in inScope where !seen.contains(document.path) {
            plan.vanished[document.id ?? -1] = document
            if document.status == .indexed { vanishedByInode[InodeKey(document)] = document }
        }

        for file in walk.files {
            if let previous = byPath[file.path] {
                if isUnchanged(file, previous, readers: readers) {
                    plan.unchanged += 1
                } else {
                    plan.actions.append(.index(file, root: root, previous: previous))
                }
            } else if let source = vanishedByInode[InodeKey(file)], isMove(of: source, to: file) {
                vanishedByInode[InodeKey(file)] = nil
                plan.actions.append(.maybeMove(file, root: root, from: source))
            } else {
                plan.actions.append(.index(file, root: root, previous: nil))
            }
        }
        for problem in walk.problems {
            if let previous = byPath[problem.path], previous.status != .indexed, previous.reason == problem.reason {
                plan.unchanged += 1
            } else {
                plan.actions.append(.fail(path: problem.path, root: root, reason: problem.reason))
            }
        }
    }

    /// What a file the watcher reported changed needs: nil when the store has it as it is.
    /// `moveSources` are the stored documents of paths reported gone and not removed yet; the
    /// returned `from` of a move is the one it claims.
    static func action(
        forChanged file: DiscoveredFile, root: RootRecord, previous: DocumentRecord?, moveSources: [DocumentRecord],
        readers: Readers
    ) -> IndexPlan.Action? {
        if let previous {
            return isUnchanged(file, previous, readers: readers) ? nil : .index(file, root: root, previous: previous)
        }
        if let source = moveSources.first(where: { isMove(of: $0, to: file) }) {
            return .maybeMove(file, root: root, from: source)
        }
        return .index(file, root: root, previous: nil)
    }

    /// What reads documents now: the formats `[index] formats` names, and the extractors'
    /// fingerprint (nil without extractors).
    struct Readers: Sendable {
        var formats: Set<DocumentFormat>
        var extractor: String?
    }

    /// The reason a document is skipped when `[index] formats` leaves its format out.
    static func leftOutReason(_ format: DocumentFormat) -> String {
        "\(FileKind.displayName(format)) files are not read: [index] formats leaves out \(format.rawValue)"
    }

    /// Unchanged means the same file (device, inode, size, mtime) read the way it would be now:
    /// - an indexed document of a format the settings still name;
    /// - a document skipped because the settings left its format out, while they still do;
    /// - a failed one that the extractors (`readers.extractor`, the same ones) explained, encrypted
    ///   or without a text layer: reading it again would only say so again, at the cost of a child
    ///   (and of OCR) on every scan. One that killed the extractor once is tried again (the kill may
    ///   have been the machine's load: a second one quarantines it), a quarantined one is not; any
    ///   other failure (a file that could not be opened, an extractor that could not start) is tried
    ///   on every scan, as its cause may be fixed without a new mtime (permissions);
    /// and in any case nothing waits for OCR (pages left by a pass the daemon did not see through,
    /// resumed after a restart).
    static func isUnchanged(_ file: DiscoveredFile, _ document: DocumentRecord, readers: Readers) -> Bool {
        guard document.ocrPendingPages == nil, InodeKey(document) == InodeKey(file), document.size == file.size,
            document.mtimeNanoseconds == file.mtimeNanoseconds
        else { return false }
        let format = FileKind.documentFormat(forPath: file.path)
        switch document.status {
        case .indexed:
            return format.map(readers.formats.contains) ?? true
        case .skipped:
            guard let format else { return true }
            return !(readers.formats.contains(format) && document.reason == leftOutReason(format))
        case .failed:
            if document.isQuarantined { return true }
            guard let extractedWith = document.extractedWith else { return false }
            return extractedWith == readers.extractor && document.crashCount == 0
        }
    }

    /// `file` may be `document` under a new name: an indexed document with the same inode and size,
    /// which the new name has read the same way. A move keeps the chunks of the old name, so a name
    /// that changes how the file is read (`report.pdf` to `report.pdf.bak`, a plain file becoming an
    /// e-mail) is a new document; text files keep their chunks across `.txt`/`.md` as before.
    static func isMove(of document: DocumentRecord, to file: DiscoveredFile) -> Bool {
        document.status == .indexed && InodeKey(document) == InodeKey(file) && document.size == file.size
            && FileKind.documentFormat(forPath: document.path) == FileKind.documentFormat(forPath: file.path)
    }

    /// A file's identity on disk, as the store records it (signed, as SQLite holds integers).
    private struct InodeKey: Hashable {
        var device: Int64
        var inode: Int64

        init(_ file: DiscoveredFile) {
            device = Int64(bitPattern: file.device)
            inode = Int64(bitPattern: file.inode)
        }

        init(_ document: DocumentRecord) {
            device = document.device
            inode = document.inode
        }
    }
}
