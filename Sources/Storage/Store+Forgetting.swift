import Foundation
import GRDB
import Synchronization

/// Forgetting means erasing: removed text must not survive in the database's free pages, its
/// write-ahead log or the full-text index's segments.
///
/// Every connection runs with `PRAGMA secure_delete = ON` (freed cells and pages are overwritten
/// with zeros). A deletion in FTS5 only adds a tombstone to a new segment, the old segment keeping
/// the words, so `erase()` merges the whole full-text index into one segment ('optimize'), which
/// drops the deleted entries and frees (zeroes) the old segments; then it checkpoints the WAL into
/// the database and truncates it, so no old page images remain in the `-wal` file.
extension Store {
    /// Removes every document at `path`, or under it when it is a folder, with its chunks, their
    /// full-text entries and vectors, then erases. Returns how many documents went.
    public func forget(path: String) async throws -> Int {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        let removed = try await write { db in
            try db.execute(
                sql: "DELETE FROM document WHERE path = ? OR substr(path, 1, length(?)) = ?",
                arguments: [trimmed, trimmed + "/", trimmed + "/"])
            return db.changesCount
        }
        lexicalStatistics.forgetAll()
        try await erase()
        return removed
    }

    /// Whether rows were deleted since the last `erase()`: documents that left the disk, a removed
    /// source. The daemon erases soon after.
    public var needsErase: Bool { pendingErase.withLock { $0 } }

    func noteDeletion() { pendingErase.withLock { $0 = true } }

    /// Makes everything deleted so far unrecoverable from the database files (see above).
    public func erase() async throws {
        pendingErase.withLock { $0 = false }
        try await write { db in
            try db.execute(sql: "INSERT INTO chunk_fts(chunk_fts) VALUES ('optimize')")
        }
        lexicalStatistics.forgetAll()
        // Readers may hold the log for a moment; TRUNCATE waits for them (busy timeout) and is retried.
        var lastError: (any Error)?
        for _ in 0..<20 {
            do {
                try await pool.writeWithoutTransaction { db in
                    let result = try db.checkpoint(.truncate)
                    if result.walFrameCount != result.checkpointedFrameCount { throw StoreError.sqlite("readers still hold the log") }
                }
                return
            } catch {
                lastError = error
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        throw StoreError.wrapping(lastError ?? StoreError.sqlite("the write-ahead log could not be truncated"))
    }
}
