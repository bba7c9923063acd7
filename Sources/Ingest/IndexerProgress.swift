public import Foundation

/// A snapshot of what the indexer is doing; the daemon turns it into `/v1/status` and `STATUS=` lines.
public struct IndexerProgress: Sendable, Equatable {
    public enum State: String, Sendable {
        case idle, scanning, indexing
    }
    public struct Failure: Sendable, Equatable {
        public var at: Date
        public var path: String?
        public var message: String
    }

    public var state: State = .idle
    public var queued = 0
    public var done = 0
    public var total = 0
    public var failed = 0
    public var currentPath: String?
    public var passStartedAt: Date?
    public var completedPasses = 0
    public var lastError: Failure?
    /// Roots where changes are found by periodic rescans only (watch limit reached, network filesystem).
    public var rootsWithoutWatches: [String] = []

    public var filesPerSecond: Double {
        guard let start = passStartedAt else { return 0 }
        let elapsed = Date().timeIntervalSince(start)
        return elapsed > 0 ? Double(done) / elapsed : 0
    }

    /// One line for systemd's `STATUS=`.
    public var statusLine: String {
        switch state {
        case .idle: "Idle; \(completedPasses) passes done"
        case .scanning: "Scanning for changes"
        case .indexing: "Indexing \(done)/\(total) files"
        }
    }
}
