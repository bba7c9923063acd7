/// A glob pattern, with the rules of `.gitignore` where they make sense:
///
/// - `*` matches any run of characters except `/`; `?` one character; `[abc]`, `[a-z]`, `[!a-z]`
///   (or `[^a-z]`) one character of a class; a backslash makes the next character literal.
/// - A `**` segment matches any number of directories, including none: `docs/**/*.md`.
/// - A pattern without `/` matches the file or directory *name* at any depth (`*.md`, `node_modules`).
///   A pattern with `/` matches the path relative to the root (`docs/*.md`, `/build` — a leading `/`
///   only anchors). A trailing `/` restricts the pattern to directories (`build/`); a path passed to
///   ``matches(_:)`` names a directory when it ends in `/`.
/// - Matching is case-sensitive and works on Unicode scalars.
public struct Glob: Sendable, Equatable, CustomStringConvertible {
    /// The pattern as written.
    public let pattern: String
    private let segments: [Segment]
    /// False for a bare name pattern, which matches the last path component only.
    private let isAnchored: Bool
    private let isDirectoryOnly: Bool

    public init(_ pattern: String) throws(GlobError) {
        self.pattern = pattern
        var body = Substring(pattern)
        var anchoredByPrefix = false
        if body.hasPrefix("./") {
            body = body.dropFirst(2)
            anchoredByPrefix = true
        }
        if body.hasPrefix("/") {
            anchoredByPrefix = true
        }
        var directoryOnly = false
        // An escaped trailing slash ("\/") stays part of the pattern.
        while body.hasSuffix("/") && !body.hasSuffix("\\/") {
            body = body.dropLast()
            directoryOnly = true
        }
        let parsed = try Glob.parse(body, pattern: pattern)
        guard !parsed.isEmpty else { throw .empty }
        segments = parsed
        isAnchored = anchoredByPrefix || parsed.count > 1 || parsed.first == .anyDirectories
        isDirectoryOnly = directoryOnly
    }

    public var description: String { pattern }

    public static func == (lhs: Glob, rhs: Glob) -> Bool { lhs.pattern == rhs.pattern }

    /// `text` as a pattern that matches exactly it: every special character made literal.
    public static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            if "\\*?[]".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }

    /// Whether `path` (relative to the root, `/`-separated; a trailing `/` marks a directory) matches.
    public func matches(_ path: String) -> Bool {
        let isDirectory = path.hasSuffix("/")
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
            .filter { $0 != "." }
            .map { Array($0.unicodeScalars) }
        guard let name = components.last else { return false }
        return matches(GlobSubject(name: name, components: components, isDirectory: isDirectory))
    }

    /// Whether the pattern needs the whole path, not just the name. Lets callers skip splitting paths.
    var needsComponents: Bool { isAnchored }

    func matches(_ subject: GlobSubject) -> Bool {
        if isDirectoryOnly && !subject.isDirectory { return false }
        if !isAnchored {
            guard case .name(let tokens) = segments[0] else { return false }
            return Glob.match(tokens, subject.name[...])
        }
        return Glob.match(segments, subject.components)
    }

    // MARK: - Compiled form

    private enum Segment: Equatable, Sendable {
        /// `**`: zero or more whole path components.
        case anyDirectories
        case name([Token])
    }

    private enum Token: Equatable, Sendable {
        case literal(Unicode.Scalar)
        case anyCharacter
        case star
        case characterClass(ScalarClass)
    }

    private struct ScalarClass: Equatable, Sendable {
        var isNegated: Bool
        var ranges: [ClosedRange<UInt32>]

        func contains(_ scalar: Unicode.Scalar) -> Bool {
            let value = scalar.value
            var inRanges = false
            for range in ranges where range.contains(value) {
                inRanges = true
                break
            }
            return inRanges != isNegated
        }
    }

    // MARK: - Parsing

    private static func parse(_ body: Substring, pattern: String) throws(GlobError) -> [Segment] {
        var segments: [Segment] = []
        var tokens: [Token] = []
        // "**" is special only when it is the whole segment, so remember whether stars were bare.
        var segmentIsOnlyStars = true
        var starCount = 0

        func endSegment() {
            if tokens.isEmpty { return }
            if segmentIsOnlyStars && starCount >= 2 {
                if segments.last != .anyDirectories { segments.append(.anyDirectories) }
            } else {
                segments.append(.name(tokens))
            }
            tokens = []
            segmentIsOnlyStars = true
            starCount = 0
        }

        let scalars = Array(body.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "/":
                endSegment()
                index += 1
            case "*":
                starCount += 1
                if tokens.last != .star { tokens.append(.star) }
                index += 1
            case "?":
                segmentIsOnlyStars = false
                tokens.append(.anyCharacter)
                index += 1
            case "\\":
                guard index + 1 < scalars.count else { throw .trailingBackslash(pattern: pattern) }
                segmentIsOnlyStars = false
                tokens.append(.literal(scalars[index + 1]))
                index += 2
            case "[":
                segmentIsOnlyStars = false
                let (characterClass, next) = try parseClass(scalars, from: index + 1, pattern: pattern)
                tokens.append(.characterClass(characterClass))
                index = next
            default:
                segmentIsOnlyStars = false
                tokens.append(.literal(scalar))
                index += 1
            }
        }
        endSegment()
        return segments
    }

    /// Parses a class body starting after `[`; returns the class and the index after `]`.
    private static func parseClass(
        _ scalars: [Unicode.Scalar], from start: Int, pattern: String
    ) throws(GlobError) -> (ScalarClass, Int) {
        var index = start
        var isNegated = false
        if index < scalars.count && (scalars[index] == "!" || scalars[index] == "^") {
            isNegated = true
            index += 1
        }
        var ranges: [ClosedRange<UInt32>] = []
        var isFirst = true

        func readMember() throws(GlobError) -> Unicode.Scalar {
            if scalars[index] == "\\" {
                guard index + 1 < scalars.count else { throw .unclosedBracket(pattern: pattern) }
                index += 2
                return scalars[index - 1]
            }
            index += 1
            return scalars[index - 1]
        }

        while index < scalars.count {
            // A ']' right after '[' or '[!' is a member, as in POSIX.
            if scalars[index] == "]" && !isFirst {
                return (ScalarClass(isNegated: isNegated, ranges: ranges), index + 1)
            }
            isFirst = false
            let low = try readMember()
            if index + 1 < scalars.count && scalars[index] == "-" && scalars[index + 1] != "]" {
                index += 1
                let high = try readMember()
                guard low.value <= high.value else {
                    throw .invalidRange(pattern: pattern, range: "\(low)-\(high)")
                }
                ranges.append(low.value...high.value)
            } else {
                ranges.append(low.value...low.value)
            }
        }
        throw .unclosedBracket(pattern: pattern)
    }

    // MARK: - Matching

    /// Wildcard matching with backtracking to the last star only: linear for one star, and correct
    /// because every other token consumes exactly one scalar.
    private static func match(_ tokens: [Token], _ name: ArraySlice<Unicode.Scalar>) -> Bool {
        var tokenIndex = 0
        var nameIndex = name.startIndex
        var starToken = -1
        var starName = name.startIndex
        while nameIndex < name.endIndex {
            if tokenIndex < tokens.count {
                switch tokens[tokenIndex] {
                case .star:
                    starToken = tokenIndex
                    starName = nameIndex
                    tokenIndex += 1
                    continue
                case .anyCharacter:
                    tokenIndex += 1
                    nameIndex += 1
                    continue
                case .literal(let scalar) where scalar == name[nameIndex]:
                    tokenIndex += 1
                    nameIndex += 1
                    continue
                case .characterClass(let characterClass) where characterClass.contains(name[nameIndex]):
                    tokenIndex += 1
                    nameIndex += 1
                    continue
                default:
                    break
                }
            }
            guard starToken >= 0 else { return false }
            tokenIndex = starToken + 1
            starName += 1
            nameIndex = starName
        }
        while tokenIndex < tokens.count && tokens[tokenIndex] == .star { tokenIndex += 1 }
        return tokenIndex == tokens.count
    }

    /// The same algorithm one level up: `**` is the star, each name segment consumes one component.
    private static func match(_ segments: [Segment], _ components: [[Unicode.Scalar]]) -> Bool {
        var segmentIndex = 0
        var componentIndex = 0
        var starSegment = -1
        var starComponent = 0
        while componentIndex < components.count {
            if segmentIndex < segments.count {
                switch segments[segmentIndex] {
                case .anyDirectories:
                    starSegment = segmentIndex
                    starComponent = componentIndex
                    segmentIndex += 1
                    continue
                case .name(let tokens) where match(tokens, components[componentIndex][...]):
                    segmentIndex += 1
                    componentIndex += 1
                    continue
                default:
                    break
                }
            }
            guard starSegment >= 0 else { return false }
            segmentIndex = starSegment + 1
            starComponent += 1
            componentIndex = starComponent
        }
        while segmentIndex < segments.count && segments[segmentIndex] == .anyDirectories { segmentIndex += 1 }
        return segmentIndex == segments.count
    }
}

/// A path prepared once for matching against many globs.
struct GlobSubject {
    /// The last component.
    var name: [Unicode.Scalar]
    /// All components; may be empty when no glob needs them (see ``Glob/needsComponents``).
    var components: [[Unicode.Scalar]]
    var isDirectory: Bool
}
