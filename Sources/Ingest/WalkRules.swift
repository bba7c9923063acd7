/// Include/exclude rules of one root.
///
/// Exclude globs prune directories (nothing below an excluded directory is seen) and drop files.
/// Include globs select files: a file is included when an include glob matches its path or the path
/// of one of its directories, so `docs` includes everything under every `docs` directory and `*.md`
/// every Markdown file. Patterns that fail ``validate(_:)`` match nothing; validate user input first.
public struct WalkRules: Sendable, Equatable {
    /// Globs selecting files; empty selects all files.
    public var include: [String] { didSet { compiled = Compiled(self) } }
    /// Globs excluding files and directories, in addition to ``defaultExcludes`` when
    /// ``useDefaultExcludes`` is set.
    public var exclude: [String] { didSet { compiled = Compiled(self) } }
    public var useDefaultExcludes: Bool { didSet { compiled = Compiled(self) } }
    /// Larger files are still discovered, and the extractor refuses them with a reason.
    public var maxFileSize: Int64

    private var compiled: Compiled

    public init(
        include: [String] = [],
        exclude: [String] = [],
        useDefaultExcludes: Bool = true,
        maxFileSize: Int64 = 20 << 20
    ) {
        self.include = include
        self.exclude = exclude
        self.useDefaultExcludes = useDefaultExcludes
        self.maxFileSize = maxFileSize
        compiled = Compiled(include: include, exclude: exclude, useDefaultExcludes: useDefaultExcludes)
    }

    /// What nobody wants in a document index: hidden files and directories (which covers `.git`,
    /// `.build`, `.venv`, `.DS_Store`), dependency and build output directories, compiled objects,
    /// editor leftovers and lock files. Directory names end in `/` so that a file called `build` (a
    /// script) is still indexed. `out` and `bin` are left out: people keep documents under such names.
    public static let defaultExcludes: [String] = [
        ".*",
        "node_modules/", "bower_components/", "__pycache__/", "venv/", "build/", "dist/", "target/",
        "*.o", "*.obj", "*.a", "*.so", "*.so.*", "*.dylib", "*.dll", "*.exe",
        "*.pyc", "*.pyo", "*.class",
        "*.swp", "*.swo", "*~", "*.tmp", "*.bak",
        "*.lock", "package-lock.json",
        "*.min.js", "*.min.css", "*.map",
    ]

    public static func == (lhs: WalkRules, rhs: WalkRules) -> Bool {
        lhs.include == rhs.include && lhs.exclude == rhs.exclude
            && lhs.useDefaultExcludes == rhs.useDefaultExcludes && lhs.maxFileSize == rhs.maxFileSize
    }

    /// Throws the first malformed pattern's error.
    public static func validate(_ globs: [String]) throws(GlobError) {
        for glob in globs { _ = try Glob(glob) }
    }

    /// Whether the walk should skip the directory at `relativePath` (whose last component is `name`).
    public func isExcludedDirectory(relativePath: String, name: String) -> Bool {
        compiled.isExcluded(subject(relativePath: relativePath, name: name, isDirectory: true))
    }

    /// Whether the file at `relativePath` is selected, judging the file itself against the exclude
    /// globs and the file and its directories against the include globs. Excluded *directories* above
    /// the file are not checked here: the walk never enters them, and ``FileWalker/stat(file:)``
    /// checks them for single paths.
    public func isIncludedFile(relativePath: String, name: String) -> Bool {
        let file = subject(relativePath: relativePath, name: name, isDirectory: false)
        if compiled.isExcluded(file) { return false }
        if compiled.include.isEmpty { return true }
        if compiled.include.contains(where: { $0.matches(file) }) { return true }
        // Directories count for includes, so "docs" or "notes/**" select whole trees.
        var components = file.components.isEmpty ? splitComponents(relativePath) : file.components
        while components.count > 1 {
            components.removeLast()
            let directory = GlobSubject(name: components[components.count - 1], components: components, isDirectory: true)
            if compiled.include.contains(where: { $0.matches(directory) }) { return true }
        }
        return false
    }

    private func subject(relativePath: String, name: String, isDirectory: Bool) -> GlobSubject {
        let needsComponents = compiled.needsComponents
        return GlobSubject(
            name: Array(name.unicodeScalars),
            components: needsComponents ? splitComponents(relativePath) : [],
            isDirectory: isDirectory
        )
    }

    private func splitComponents(_ relativePath: String) -> [[Unicode.Scalar]] {
        relativePath.split(separator: "/", omittingEmptySubsequences: true).map { Array($0.unicodeScalars) }
    }

    /// The globs compiled once per change of the rules, so the walk does not re-parse per file.
    private struct Compiled: Sendable {
        var include: [Glob]
        var exclude: [Glob]
        var needsComponents: Bool

        init(_ rules: WalkRules) {
            self.init(include: rules.include, exclude: rules.exclude, useDefaultExcludes: rules.useDefaultExcludes)
        }

        init(include: [String], exclude: [String], useDefaultExcludes: Bool) {
            let excludes = (useDefaultExcludes ? WalkRules.defaultExcludes : []) + exclude
            self.include = include.compactMap { try? Glob($0) }
            self.exclude = excludes.compactMap { try? Glob($0) }
            needsComponents = self.include.contains(where: \.needsComponents)
                || self.exclude.contains(where: \.needsComponents)
        }

        func isExcluded(_ subject: GlobSubject) -> Bool {
            exclude.contains(where: { $0.matches(subject) })
        }
    }
}
