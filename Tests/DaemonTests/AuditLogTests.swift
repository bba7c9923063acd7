import API
import Foundation
import Testing
@testable import Daemon

/// The audit trail's size rotation and retention, on a real file in a temporary folder.
@Suite struct AuditLogTests {
    func makeDirectory() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    func record(_ number: Int, at: Date = Date()) -> AuditRecord {
        AuditRecord(at: at, uid: 1000, user: "ann", endpoint: "POST /v1/search", status: 200, query: "question \(number)", documents: ["/srv/docs/\(number).md"])
    }

    func lines(_ file: String) -> [String] {
        (try? String(contentsOfFile: file, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
    }

    @Test func rotatesPastTheSizeLimitKeepingFiveFilesEachWithinIt() throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/audit.jsonl"
        let limit: Int64 = 2_000
        let log = AuditLog(path: path, retentionDays: 90, maxBytes: limit)
        try log.record(record(0))
        let lineBytes = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let perFile = Int(limit) / lineBytes
        // Enough for three rotated files and half a live one: nothing is lost yet.
        let total = perFile * 3 + perFile / 2
        for number in 1..<total { try log.record(record(number)) }
        for index in 1...3 {
            let size = try #require(FileManager.default.attributesOfItem(atPath: "\(path).\(index)")[.size] as? Int64)
            #expect(size <= limit && size > limit - Int64(lineBytes) * 2, "\(path).\(index) is \(size) bytes")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(path).4"))
        #expect(lines(path + ".3").first?.contains("\"question 0\"") == true, "the oldest file holds the first records")
        #expect(try log.records(since: nil, user: nil, limit: 100_000).map(\.query) == (0..<total).map { "question \($0)" })
        let mode = try #require(FileManager.default.attributesOfItem(atPath: "\(path).1")[.posixPermissions] as? Int)
        #expect(mode == 0o600, "a rotated file stays the daemon's user's alone")

        // Past five rotated files the oldest go.
        for number in total..<(perFile * 9) { try log.record(record(number)) }
        #expect(FileManager.default.fileExists(atPath: "\(path).5") && !FileManager.default.fileExists(atPath: "\(path).6"))
        let kept = try log.records(since: nil, user: nil, limit: 100_000).map(\.query)
        #expect(kept.last == "question \(perFile * 9 - 1)")
        #expect(!kept.contains("question 0") && kept.count <= perFile * 6 && kept.count >= perFile * 5)
    }

    @Test func recordsPastTheRetentionAreDeleted() throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/audit.jsonl"
        let encoder = WireJSON.makeEncoder()
        func write(_ records: [AuditRecord], to file: String, modified: Date) throws {
            var data = Data()
            for record in records {
                data.append(try encoder.encode(record))
                data.append(UInt8(ascii: "\n"))
            }
            try data.write(to: URL(fileURLWithPath: file))
            try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: file)
        }
        let day: TimeInterval = 86_400
        let now = Date()
        // .2: every record 40 days old; .1: one 35 days old and one 5 days old; the live file begins
        // 31 days ago and goes on to today.
        try write([record(1, at: now - 41 * day), record(2, at: now - 40 * day)], to: path + ".2", modified: now - 40 * day)
        try write([record(3, at: now - 35 * day), record(4, at: now - 5 * day)], to: path + ".1", modified: now - 5 * day)
        try write([record(5, at: now - 31 * day), record(6, at: now - day)], to: path, modified: now - day)

        let log = AuditLog(path: path, retentionDays: 30, maxBytes: 1 << 20)
        try log.record(record(7))
        // The live file began before the retention: rotated, its old record taken out, as the one in
        // the older rotated file; the file all past the retention is gone.
        #expect(try log.records(since: nil, user: nil, limit: 100).map(\.query) == ["question 4", "question 6", "question 7"])
        #expect(lines(path).count == 1, "a new live file")
        #expect(!FileManager.default.fileExists(atPath: path + ".3"), "the file past the retention was deleted, not moved")
        let trimmed = try #require(FileManager.default.attributesOfItem(atPath: path + ".2")[.modificationDate] as? Date)
        #expect(abs(trimmed.timeIntervalSince(now - 5 * day)) < 2, "a trimmed file keeps the time of its newest record")
    }
}
