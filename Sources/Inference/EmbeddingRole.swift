/// Whether a text is a search query or a passage to be found. Asymmetric encoders (E5, some BGE
/// setups) want a different prefix on each; symmetric ones such as all-MiniLM-L6-v2 want none.
public enum EmbeddingRole: Sendable {
    case query
    case passage
}

/// The text put before queries and passages for models trained with prefixes, e.g. E5's
/// `"query: "` and `"passage: "`. Empty for models trained without.
public struct EmbeddingPrefixes: Sendable, Equatable {
    public var query: String
    public var passage: String

    public init(query: String = "", passage: String = "") {
        self.query = query
        self.passage = passage
    }

    public static let none = EmbeddingPrefixes()

    func prefix(for role: EmbeddingRole) -> String {
        switch role {
        case .query: query
        case .passage: passage
        }
    }
}
