/// What indexing needs from an encoder: passages turned into unit vectors. The daemon adapts the
/// Inference module's `Embedder` to it.
public protocol PassageEmbedding: Sendable {
    /// Name plus weights hash; vectors of different fingerprints are not comparable.
    var fingerprint: String { get }
    var modelName: String { get }
    var dimension: Int { get }
    func embedPassages(_ texts: [String]) async throws -> [[Float]]
}
