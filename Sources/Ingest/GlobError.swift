/// Why a glob pattern was rejected. Patterns come from the user's configuration, so each case says
/// which pattern is wrong and how to write it.
public enum GlobError: Error, Sendable, Equatable {
    case empty
    case unclosedBracket(pattern: String)
    case trailingBackslash(pattern: String)
    case invalidRange(pattern: String, range: String)

    public var message: String {
        switch self {
        case .empty:
            return "empty glob pattern; remove it or write a pattern such as \"*.md\""
        case .unclosedBracket(let pattern):
            return "glob \"\(pattern)\" has a '[' without a closing ']'; close the character class or write \\[ for a literal bracket"
        case .trailingBackslash(let pattern):
            return "glob \"\(pattern)\" ends with a lone backslash; write \\\\ for a literal backslash"
        case .invalidRange(let pattern, let range):
            return "glob \"\(pattern)\" has the reversed character range \"\(range)\"; write the lower character first"
        }
    }
}
