import Storage

/// What one pass does: the files to read, the moves to confirm, the failures to record, and the
/// documents whose files are gone. Made by ``IndexPlanner``, carried out by the ``Indexer``.
struct IndexPlan: Equatable {
    enum Action: Equatable {
        /// Read the file and replace what the store holds for its path (`previous`, if anything).
        case index(DiscoveredFile, root: RootRecord, previous: DocumentRecord?)
        /// A new path whose inode and size match a document whose path is gone: a move, kept with
        /// its chunks and vectors if the bytes still hash the same; otherwise read as new.
        case maybeMove(DiscoveredFile, root: RootRecord, from: DocumentRecord)
        /// A place the walk could not look into, recorded as failed with its reason.
        case fail(path: String, root: RootRecord, reason: String)

        var root: RootRecord {
            switch self {
            case .index(_, let root, _), .maybeMove(_, let root, _), .fail(_, let root, _): root
            }
        }
    }

    var actions: [Action] = []
    /// Files found as the store has them; counted as done.
    var unchanged = 0
    /// Documents whose files are gone, by id; removed at the end of the pass unless a move claimed them.
    var vanished: [Int64: DocumentRecord] = [:]
}
