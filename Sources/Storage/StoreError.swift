/// What went wrong in the store. `message` is meant for a person: it says what happened and what to do.
public enum StoreError: Error, Sendable, Equatable {
    /// A root with this path is already registered.
    case rootExists(String)
    /// The search text holds no letters or digits, so there is nothing to look for.
    case emptyQuery
    /// The database file could not be opened or created.
    case cannotOpen(path: String, reason: String)
    /// SQLite reports the file as damaged or not a database.
    case corrupt(String)
    /// Any other SQLite failure, with SQLite's own description.
    case sqlite(String)

    /// A sentence for the user: what went wrong and what to do next.
    public var message: String {
        switch self {
        case .rootExists(let path):
            "The folder \(path) is already indexed. Remove it first to add it again with other rules."
        case .emptyQuery:
            "The search has no words to look for. Type at least one word made of letters or digits."
        case .cannotOpen(let path, let reason):
            "Cannot open the index database at \(path): \(reason). Check that the folder exists and is writable by this user."
        case .corrupt(let detail):
            "The index database is damaged (\(detail)). Stop the daemon, delete the database file, and start it again to rebuild the index."
        case .sqlite(let detail):
            "The index database reported an error: \(detail)."
        }
    }
}
