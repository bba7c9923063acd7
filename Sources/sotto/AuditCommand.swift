import API
import ArgumentParser
import Foundation

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the audit trail: who asked what, and which documents they were given (admins only).",
        discussion: """
            Each line: when, who (user and uid), the endpoint and its status, the query or question, and the documents
            the response named. Answers and passages are never recorded. The trail is on for the system service and
            off for a user's ([audit] in sottod.toml).
            """)
    @OptionGroup var connection: ConnectionOptions
    @Option(name: .long, help: ArgumentHelp("Only records from then on: an ISO 8601 date (2026-12-01 or 2026-12-01T08:00:00Z) or an age such as 30m, 12h, 7d.", valueName: "when"))
    var since: String?
    @Option(name: .long, help: ArgumentHelp("Only this user's records (a name or a uid).", valueName: "user")) var user: String?
    @Option(name: .long, help: "At most this many of the newest records (1–100000).") var limit = 1000
    @Flag(name: .long, help: "Print the records as JSON lines.") var json = false

    func validate() throws {
        guard (1...100_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 100000") }
        if let since, Self.date(since) == nil {
            throw ValidationError("--since takes an ISO 8601 date (2026-12-01, 2026-12-01T08:00:00Z) or an age (30m, 12h, 7d)")
        }
    }

    static func date(_ text: String, now: Date = Date()) -> Date? {
        if let unit = text.last, let amount = Double(text.dropLast()), amount >= 0 {
            switch unit {
            case "m": return now.addingTimeInterval(-amount * 60)
            case "h": return now.addingTimeInterval(-amount * 3600)
            case "d": return now.addingTimeInterval(-amount * 86_400)
            default: break
            }
        }
        if let full = ISO8601DateFormatter().date(from: text) { return full }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        return day.date(from: text)
    }

    func run() throws {
        let response = try withClientErrors {
            try connection.makeClient().audit(since: since.flatMap { Self.date($0) }, user: user, limit: limit)
        }
        let encoder = WireJSON.makeEncoder()
        for record in response.records {
            if json {
                print(String(decoding: try encoder.encode(record), as: UTF8.self))
                continue
            }
            let who = "\(record.user ?? "?")(\(record.uid))"
            let documents = record.documents.map { $0.isEmpty ? "" : " → " + $0.map(Terminal.displayPath).joined(separator: ", ") } ?? ""
            print("\(ISO8601DateFormatter().string(from: record.at))  \(who)  \(record.endpoint) \(record.status)  \(record.query.map { $0.debugDescription } ?? "")\(documents)")
        }
    }
}
