import API
import Access
import Foundation
import Synchronization

/// What one request's handler tells the audit trail: who asked, which endpoint, the query or
/// question, and which documents the response named. Never the answer's text or the passages.
final class AuditNote: Sendable {
    private struct Fields {
        var caller: Caller?
        var endpoint = ""
        var query: String?
        var documents: [String]?
        var at = Date()
    }

    private let fields = Mutex(Fields())

    func begin(caller: Caller, endpoint: String) {
        fields.withLock {
            $0.caller = caller
            $0.endpoint = endpoint
        }
    }

    var query: String? {
        get { fields.withLock { $0.query } }
        set { fields.withLock { $0.query = newValue } }
    }

    /// Paths in the order given, each once.
    var documents: [String]? {
        get { fields.withLock { $0.documents } }
        set {
            var seen = Set<String>()
            let unique = newValue?.filter { seen.insert($0).inserted }
            fields.withLock { $0.documents = unique }
        }
    }

    /// The record for the trail, or nil for a request that is not audited (never begun).
    func record(status: Int) -> AuditRecord? {
        fields.withLock { fields in
            guard let caller = fields.caller else { return nil }
            return AuditRecord(
                at: fields.at, uid: caller.uid, user: caller.userName, endpoint: fields.endpoint, status: status,
                query: fields.query, documents: fields.documents)
        }
    }
}
