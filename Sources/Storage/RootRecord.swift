public import Foundation

/// A watched folder and the rules that pick its files. Stored in table `root`.
public struct RootRecord: Codable, Sendable, Equatable {
    public var id: Int64?
    public var path: String
    /// Glob patterns; empty means "everything". Stored as a JSON array.
    public var include: [String]
    /// Glob patterns to leave out. Stored as a JSON array.
    public var exclude: [String]
    public var useDefaultExcludes: Bool
    /// Stored with millisecond precision.
    public var addedAt: Date

    public init(
        id: Int64? = nil, path: String, include: [String], exclude: [String],
        useDefaultExcludes: Bool, addedAt: Date
    ) {
        self.id = id
        self.path = path
        self.include = include
        self.exclude = exclude
        self.useDefaultExcludes = useDefaultExcludes
        self.addedAt = addedAt
    }
}
