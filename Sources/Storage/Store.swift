import Foundation
import GRDB
import Synchronization

/// The one owner of the SQLite index: schema, migrations, transactions and full-text search.
///
/// Backed by a GRDB `DatabasePool` in WAL mode: writes are serialised, reads run concurrently with
/// each other and with the writer. Every method that changes several rows does so in one transaction.
public final class Store: Sendable {
    /// The database file.
    public let path: String
    let pool: DatabasePool
    /// Document frequencies of query words, for pruned full-text search.
    let lexicalStatistics = LexicalStatistics()
    /// Rows were deleted since the last `erase()` (see Store+Forgetting).
    let pendingErase = Mutex(false)

    /// How long a connection waits for a lock held by another process before giving up. Within this
    /// process GRDB serialises writers itself; this covers e.g. a `sqlite3` shell holding a lock.
    static let busyTimeout: TimeInterval = 5

    /// Opens the database at `path`, creating it and its parent folder (mode 0700) if missing, and
    /// brings the schema up to date.
    public init(path: String) throws {
        self.path = path
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(
                atPath: parent, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "cannot create folder \(parent): \(error.localizedDescription)")
        }

        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.prepareDatabase { db in
            // In WAL mode NORMAL cannot corrupt the file; a power cut may lose the last commits,
            // which the next rescan re-indexes. It saves an fsync per transaction.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Deleted text is overwritten, not left in free pages (see Store+Forgetting).
            try db.execute(sql: "PRAGMA secure_delete = ON")
            try LexicalScorer.register(db)
        }

        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch let error as DatabaseError
            where error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT
        {
            throw StoreError.corrupt("\(path): \(error.message ?? "not a database")")
        } catch let error as DatabaseError {
            throw StoreError.cannotOpen(path: path, reason: error.message ?? "\(error.resultCode)")
        } catch {
            throw StoreError.cannotOpen(path: path, reason: String(describing: error))
        }

        do {
            try Self.migrator.migrate(pool)
        } catch {
            throw StoreError.wrapping(error)
        }
    }

    /// Folds the write-ahead log into the database file and closes every connection. Later calls
    /// on this store fail.
    public func close() throws {
        do {
            try pool.writeWithoutTransaction { db in
                _ = try db.checkpoint(.truncate)
            }
            try pool.close()
        } catch {
            throw StoreError.wrapping(error)
        }
    }

    /// Bytes used on disk by the database and its `-wal` and `-shm` files.
    public func sizeOnDisk() -> Int64 {
        [path, path + "-wal", path + "-shm"].reduce(0) { total, file in
            let attributes = try? FileManager.default.attributesOfItem(atPath: file)
            let size = (attributes?[.size] as? NSNumber)?.int64Value ?? 0
            return total + size
        }
    }

    // MARK: - Access with uniform errors

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw StoreError.wrapping(error)
        }
    }

    /// Runs `body` in one transaction: all of it is committed, or none of it if it throws.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch {
            throw StoreError.wrapping(error)
        }
    }
}
