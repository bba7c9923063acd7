import Testing
@testable import Ingest

struct GlobTests {
    @Test(arguments: [
        // pattern, path, matches
        ("*.md", "notes.md", true),
        ("*.md", "docs/deep/notes.md", true),
        ("*.md", "notes.markdown", false),
        ("*.md", "notes.md/", true),
        ("node_modules", "a/b/node_modules/", true),
        ("node_modules", "a/node_modules_x/", false),
        ("docs/*.md", "docs/a.md", true),
        ("docs/*.md", "docs/sub/a.md", false),
        ("docs/*.md", "other/docs/a.md", false),
        ("docs/**/*.md", "docs/a.md", true),
        ("docs/**/*.md", "docs/x/y/z/a.md", true),
        ("docs/**/*.md", "docsx/a.md", false),
        ("**/build", "build/", true),
        ("**/build", "a/b/build/", true),
        ("notes/**", "notes/a/b.txt", true),
        ("/build", "build/", true),
        ("/build", "src/build/", false),
        ("a?c", "abc", true),
        ("a?c", "ac", false),
        ("a?c", "a/c", false),
        ("a*c", "a/c", false),
        ("[abc].txt", "b.txt", true),
        ("[abc].txt", "d.txt", false),
        ("[a-c]x", "bx", true),
        ("[!a-c]x", "bx", false),
        ("[!a-c]x", "dx", true),
        ("[^a-c]x", "dx", true),
        ("[]]", "]", true),
        ("\\*.md", "*.md", true),
        ("\\*.md", "a.md", false),
        ("\\[x\\]", "[x]", true),
        ("*", ".hidden", true),
        (".*", ".git/", true),
        (".*", "a/.env", true),
        (".*", "a.txt", false),
        ("build/", "build/", true),
        ("build/", "build", false),
        ("*.tar.gz", "x.tar.gz", true),
        ("r\u{e9}sum\u{e9}?.txt", "r\u{e9}sum\u{e9}s.txt", true),
        ("?.txt", "\u{e9}.txt", true),
        ("*a*b*c", "xaxxbxxxc", true),
        ("*a*b*c", "xaxxbxxxcx", false),
        ("./docs/*.md", "docs/a.md", true),
    ])
    func matching(pattern: String, path: String, expected: Bool) throws {
        let glob = try Glob(pattern)
        #expect(glob.matches(path) == expected, "\(pattern) vs \(path)")
    }

    @Test func malformedPatternsAreRejectedWithAMessage() {
        #expect(throws: GlobError.unclosedBracket(pattern: "[abc")) { try Glob("[abc") }
        #expect(throws: GlobError.trailingBackslash(pattern: "abc\\")) { try Glob("abc\\") }
        #expect(throws: GlobError.invalidRange(pattern: "[z-a]", range: "z-a")) { try Glob("[z-a]") }
        #expect(throws: GlobError.empty) { try Glob("") }
        #expect(throws: GlobError.empty) { try Glob("/") }
        #expect(GlobError.unclosedBracket(pattern: "[abc").message.contains("[abc"))
    }

    @Test func equalityIsByPattern() throws {
        #expect(try Glob("*.md") == Glob("*.md"))
        #expect(try Glob("*.md") != Glob("*.txt"))
    }
}
