/// What dense search needs from an encoder: a query turned into a unit vector of the model whose
/// passage vectors are searched. The daemon adapts the Inference module's `Embedder` to it.
public protocol QueryEmbedding: Sendable {
    /// Name plus weights hash; vectors of different fingerprints are not comparable.
    var fingerprint: String { get }
    var dimension: Int { get }
    func embedQuery(_ text: String) async throws -> [Float]
}
