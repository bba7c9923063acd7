/// Where a document stands in the index.
public enum DocumentStatus: String, Codable, Sendable, CaseIterable {
    /// Text was extracted and its chunks are searchable.
    case indexed
    /// Extraction was attempted and failed; `reason` says why.
    case failed
    /// Deliberately not indexed (too large, binary, excluded type); `reason` says why.
    case skipped
}
