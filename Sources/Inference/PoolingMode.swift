/// How token vectors become one sentence vector.
public enum PoolingMode: String, Sendable {
    /// The average of the token vectors of the sequence (padding excluded).
    case mean
    /// The vector of the first token, [CLS].
    case cls
}
