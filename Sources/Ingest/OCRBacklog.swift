import Extract
import Storage

/// Documents a pass surveyed and left for OCR, in the order found, one per path. The indexer
/// recognises them one at a time between passes, so a pass (and the search it feeds) never waits
/// for OCR; a newer survey of a path replaces its older job.
struct OCRBacklog {
    struct Job: Equatable {
        var file: DiscoveredFile
        var root: RootRecord
        var format: DocumentFormat
        /// SHA-256 of the bytes surveyed: the file must still hold them when it is recognised.
        var contentHash: String
        /// Pages to recognise (those found, up to the page limit).
        var pages: Int
        /// What the store held before the survey (for the extractor's crash count).
        var previous: DocumentRecord?
    }

    private var jobs: [Job] = []

    var isEmpty: Bool { jobs.isEmpty }
    var count: Int { jobs.count }
    var pages: Int { jobs.reduce(0) { $0 + $1.pages } }

    func job(for path: String) -> Job? { jobs.first { $0.file.path == path } }

    /// Adds `job`, replacing one for the same path.
    mutating func add(_ job: Job) {
        jobs.removeAll { $0.file.path == job.file.path }
        jobs.append(job)
    }

    /// The next job to do, taken out of the backlog.
    mutating func next() -> Job? { jobs.isEmpty ? nil : jobs.removeFirst() }

    mutating func remove(path: String) { jobs.removeAll { $0.file.path == path } }

    /// The paths of the jobs under `root`.
    func paths(under root: String) -> [String] {
        jobs.map(\.file.path).filter { $0.hasPrefix(root + "/") }
    }

    /// Drops the jobs under `root` (the root was removed).
    mutating func drop(under root: String) {
        jobs.removeAll { $0.file.path == root || $0.file.path.hasPrefix(root + "/") }
    }
}
