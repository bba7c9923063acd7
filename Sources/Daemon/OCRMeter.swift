import Synchronization

/// How much OCR the daemon's extraction children have done: pages recognised and the time the
/// documents holding them took, for the pages-per-minute of `sotto status`. Shared by the extractor
/// (which records) and the status route (which reads).
public final class OCRMeter: Sendable {
    public struct Reading: Sendable, Equatable {
        public var pages = 0
        public var seconds = 0.0
        public var currentDocument: String?

        public var pagesPerMinute: Double { seconds > 0 ? Double(pages) * 60 / seconds : 0 }
    }

    private let state = Mutex(Reading())

    public init() {}

    public var reading: Reading { state.withLock { $0 } }

    /// A document that may need OCR went to a child.
    func started(_ fileName: String) {
        state.withLock { $0.currentDocument = fileName }
    }

    /// It came back: `pages` of it were recognised, in `seconds` (the whole child's time).
    func finished(pages: Int, seconds: Double) {
        state.withLock {
            $0.currentDocument = nil
            guard pages > 0 else { return }
            $0.pages += pages
            $0.seconds += seconds
        }
    }
}
