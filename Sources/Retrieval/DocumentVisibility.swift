/// Which documents a search may return, decided by path for each document once per search and
/// applied to the candidates before they are ranked, fused, counted or cut to a limit: what a
/// caller may not read leaves no trace in scores, counts, sources or "nothing found".
///
/// The daemon makes one per request from its caller (peer credentials and file permissions);
/// every route that searches or answers must pass one, so a new route cannot forget it.
public struct DocumentVisibility: Sendable {
    let isVisible: (@Sendable (_ path: String) -> Bool)?

    /// No restriction: root, the daemon's own user, and tests.
    public static let everything = DocumentVisibility(isVisible: nil)

    /// Only the documents whose path `isVisible` accepts.
    public init(_ isVisible: @escaping @Sendable (_ path: String) -> Bool) {
        self.isVisible = isVisible
    }

    private init(isVisible: (@Sendable (String) -> Bool)?) {
        self.isVisible = isVisible
    }

    public var isRestricted: Bool { isVisible != nil }

    /// Whether the document at `path` may be shown.
    public func allows(_ path: String) -> Bool {
        isVisible?(path) ?? true
    }
}
