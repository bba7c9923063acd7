public import Foundation

/// A snapshot of what the indexer is doing; the daemon turns it into `/v1/status` and `STATUS=` lines.
public struct IndexerProgress: Sendable, Equatable {
    public enum State: String, Sendable {
        case idle, scanning, indexing
        /// Between passes, OCR reads what a pass left for it. Only in snapshots: the pass's own state is
        /// `idle` meanwhile (a pass may begin at any time, beside OCR).
        case recognizing
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
    /// Scanned pages and images waiting for OCR and done since start; nil when OCR is off.
    public var ocr: OCRProgress?

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
        case .recognizing: "Reading scans by OCR, \(ocr?.pagesToDo ?? 0) pages to do"
        }
    }
}
