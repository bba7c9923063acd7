public import Storage

/// What one search found, and how relevant its best passage is by meaning.
public struct SearchResult: Sendable {
    /// The mode that ran: hybrid is BM25 alone while no encoder is ready.
    public var mode: RetrievalMode
    /// Best first, with `score` set.
    public var hits: [StoredHit]
    /// The highest cosine similarity to the query of a passage the search could return (its dense
    /// candidates under the path prefix; 0 when there is none); nil when no dense ranking ran. The
    /// answer's abstention reads it, so a question is embedded and scanned once.
    public var bestCosine: Double?

    public init(mode: RetrievalMode, hits: [StoredHit], bestCosine: Double? = nil) {
        self.mode = mode
        self.hits = hits
        self.bestCosine = bestCosine
    }
}
