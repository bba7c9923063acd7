/// What a walk found: the files to index, and the places it could not look into.
public struct WalkResult: Sendable {
    /// In a deterministic order: depth first, names sorted bytewise.
    public var files: [DiscoveredFile]
    public var problems: [WalkProblem]

    public init(files: [DiscoveredFile] = [], problems: [WalkProblem] = []) {
        self.files = files
        self.problems = problems
    }
}
