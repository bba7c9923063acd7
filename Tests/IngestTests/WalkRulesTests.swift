import Testing
@testable import Ingest

struct WalkRulesTests {
    @Test func defaultsExcludeHiddenDependencyAndBuildDirectories() {
        let rules = WalkRules()
        for name in [".git", ".venv", ".build", "node_modules", "__pycache__", "build", "dist", "target", "venv"] {
            #expect(rules.isExcludedDirectory(relativePath: "project/" + name, name: name), "\(name)")
        }
        #expect(!rules.isExcludedDirectory(relativePath: "docs", name: "docs"))
        #expect(!rules.isExcludedDirectory(relativePath: "out", name: "out"))
    }

    @Test func defaultsExcludeObjectFilesButNotAScriptCalledBuild() {
        let rules = WalkRules()
        #expect(!rules.isIncludedFile(relativePath: "main.o", name: "main.o"))
        #expect(!rules.isIncludedFile(relativePath: "x/.DS_Store", name: ".DS_Store"))
        #expect(!rules.isIncludedFile(relativePath: "Cargo.lock", name: "Cargo.lock"))
        #expect(rules.isIncludedFile(relativePath: "scripts/build", name: "build"))
        #expect(rules.isIncludedFile(relativePath: "notes.md", name: "notes.md"))
    }

    @Test func withoutDefaultsHiddenFilesAreIncluded() {
        let rules = WalkRules(useDefaultExcludes: false)
        #expect(rules.isIncludedFile(relativePath: ".env", name: ".env"))
        #expect(!rules.isExcludedDirectory(relativePath: ".git", name: ".git"))
    }

    @Test func includeGlobsSelectFilesAndWholeDirectories() {
        let rules = WalkRules(include: ["*.md", "notes"])
        #expect(rules.isIncludedFile(relativePath: "a/b.md", name: "b.md"))
        #expect(!rules.isIncludedFile(relativePath: "a/b.txt", name: "b.txt"))
        #expect(rules.isIncludedFile(relativePath: "x/notes/b.txt", name: "b.txt"))
        let anchored = WalkRules(include: ["docs/**/*.txt"])
        #expect(anchored.isIncludedFile(relativePath: "docs/a/b.txt", name: "b.txt"))
        #expect(!anchored.isIncludedFile(relativePath: "src/a/b.txt", name: "b.txt"))
    }

    @Test func excludeWinsOverInclude() {
        let rules = WalkRules(include: ["*.md"], exclude: ["draft-*"])
        #expect(!rules.isIncludedFile(relativePath: "draft-1.md", name: "draft-1.md"))
        #expect(rules.isExcludedDirectory(relativePath: "a/draft-x", name: "draft-x"))
    }

    @Test func anchoredExcludes() {
        let rules = WalkRules(exclude: ["/archive", "docs/old/"])
        #expect(rules.isExcludedDirectory(relativePath: "archive", name: "archive"))
        #expect(!rules.isExcludedDirectory(relativePath: "x/archive", name: "archive"))
        #expect(rules.isExcludedDirectory(relativePath: "docs/old", name: "old"))
        #expect(rules.isIncludedFile(relativePath: "docs/old", name: "old"))
    }

    @Test func changingRulesRecompilesThem() {
        var rules = WalkRules()
        #expect(rules.isIncludedFile(relativePath: "a.txt", name: "a.txt"))
        rules.exclude = ["*.txt"]
        #expect(!rules.isIncludedFile(relativePath: "a.txt", name: "a.txt"))
        rules.useDefaultExcludes = false
        #expect(rules.isIncludedFile(relativePath: "a.o", name: "a.o"))
        #expect(rules == WalkRules(exclude: ["*.txt"], useDefaultExcludes: false))
    }

    @Test func validateReportsTheBadPattern() {
        #expect(throws: GlobError.unclosedBracket(pattern: "[x")) { try WalkRules.validate(["*.md", "[x"]) }
        #expect(throws: Never.self) { try WalkRules.validate(WalkRules.defaultExcludes) }
    }
}
