import API
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The audit trail: one JSON line a request (`AuditRecord`), appended to a file only the daemon's
/// user may read (mode 0600). Rotated by size (`.1` newest … `.5` oldest). No record is kept much
/// past the retention: the live file is rotated once its first record is that old, and the rotated
/// files are pruned when the trail is opened, at each rotation and hourly while records are written
/// (a file whose newest record is past the retention is deleted, one whose oldest is loses those lines).
final class AuditLog: Sendable {
    let path: String
    let retention: TimeInterval
    let maxBytes: Int64
    static let rotatedFiles = 5
    /// How often the rotated files are pruned while records are written.
    static let pruneInterval: TimeInterval = 3600

    private struct State {
        var handle: FileHandle?
        var size: Int64 = 0
        var firstRecordAt: Date?
        var prunedAt = Date.distantPast
    }

    private let state = Mutex(State())

    init(path: String, retentionDays: Int, maxBytes: Int64) {
        self.path = path
        retention = TimeInterval(retentionDays) * 86_400
        self.maxBytes = maxBytes
    }

    func record(_ record: AuditRecord) throws {
        var line = try WireJSON.makeEncoder().encode(record)
        line.append(UInt8(ascii: "\n"))
        try state.withLock { state in
            if state.handle == nil { try open(&state) }
            if state.size + Int64(line.count) > maxBytes
                || state.firstRecordAt.map({ Date().timeIntervalSince($0) > retention }) == true
            {
                try rotate(&state)
            } else if Date().timeIntervalSince(state.prunedAt) > Self.pruneInterval {
                pruneRotated(&state)
            }
            try state.handle?.write(contentsOf: line)
            state.size += Int64(line.count)
            if state.firstRecordAt == nil { state.firstRecordAt = record.at }
        }
    }

    /// Records from `since` on, of `user` (a name or a uid) when given, oldest first, at most `limit` (the newest).
    func records(since: Date?, user: String?, limit: Int) throws -> [AuditRecord] {
        let files = (1...Self.rotatedFiles).reversed().map { "\(path).\($0)" } + [path]
        let decoder = WireJSON.makeDecoder()
        var out: [AuditRecord] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            for line in data.split(separator: UInt8(ascii: "\n")) {
                guard let record = try? decoder.decode(AuditRecord.self, from: Data(line)) else { continue }
                if let since, record.at < since { continue }
                if let user, record.user != user, String(record.uid) != user { continue }
                out.append(record)
            }
        }
        return Array(out.suffix(limit))
    }

    private func open(_ state: inout State) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
            }
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        state.size = Int64(try handle.seekToEnd())
        state.handle = handle
        state.firstRecordAt = firstRecordDate(of: path)
        pruneRotated(&state)
    }

    private func rotate(_ state: inout State) throws {
        try state.handle?.close()
        state.handle = nil
        let manager = FileManager.default
        try? manager.removeItem(atPath: "\(path).\(Self.rotatedFiles)")
        for index in stride(from: Self.rotatedFiles - 1, through: 1, by: -1) where manager.fileExists(atPath: "\(path).\(index)") {
            try manager.moveItem(atPath: "\(path).\(index)", toPath: "\(path).\(index + 1)")
        }
        try manager.moveItem(atPath: path, toPath: "\(path).1")
        try open(&state)
    }

    /// Deletes the rotated files whose newest record is older than the retention (the file's
    /// modification time), and takes the older records out of one that holds both.
    private func pruneRotated(_ state: inout State) {
        state.prunedAt = Date()
        let cutoff = Date().addingTimeInterval(-retention)
        let manager = FileManager.default
        for index in 1...Self.rotatedFiles {
            let file = "\(path).\(index)"
            guard let modified = (try? manager.attributesOfItem(atPath: file))?[.modificationDate] as? Date else { continue }
            if modified < cutoff {
                try? manager.removeItem(atPath: file)
            } else if let first = firstRecordDate(of: file), first < cutoff {
                dropRecords(before: cutoff, in: file, modified: modified)
            }
        }
    }

    /// Rewrites `file` without its records from before `cutoff` (and lines that are no record),
    /// through a new file renamed over it, so a crash leaves the old or the new one; it keeps its
    /// modification time, the time of its newest record. Deletes it when nothing is left.
    private func dropRecords(before cutoff: Date, in file: String, modified: Date) {
        guard let data = FileManager.default.contents(atPath: file) else { return }
        let decoder = WireJSON.makeDecoder()
        var kept = Data()
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let record = try? decoder.decode(AuditRecord.self, from: Data(line)), record.at >= cutoff else { continue }
            kept.append(contentsOf: line)
            kept.append(UInt8(ascii: "\n"))
        }
        guard !kept.isEmpty else {
            try? FileManager.default.removeItem(atPath: file)
            return
        }
        let temporary = file + ".new"
        try? FileManager.default.removeItem(atPath: temporary)
        guard FileManager.default.createFile(atPath: temporary, contents: kept, attributes: [.posixPermissions: 0o600]),
            rename(temporary, file) == 0
        else {
            try? FileManager.default.removeItem(atPath: temporary)
            return
        }
        try? FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: file)
    }

    /// The time of the first record in `file` (a record is a few kilobytes at most: a question and
    /// up to a hundred paths).
    private func firstRecordDate(of file: String) -> Date? {
        guard let handle = FileHandle(forReadingAtPath: file) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: 1 << 20), let end = data.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        return (try? WireJSON.makeDecoder().decode(AuditRecord.self, from: Data(data[..<end])))?.at
    }
}
