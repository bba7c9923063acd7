import Foundation
import Glibc
import Testing
@testable import Ingest

struct FileWalkerTests {
    @Test func walksNestedDirectoriesInBytewiseOrder() throws {
        let tree = try TemporaryTree()
        try tree.write("b.txt", "b")
        try tree.write("a/z.md", "z")
        try tree.write("a/b/c.txt", "c")
        try tree.write("B.txt", "B")
        let result = FileWalker(root: tree.path, rules: WalkRules()).walk()
        #expect(result.problems == [])
        #expect(tree.relative(result.files.map(\.path)) == ["B.txt", "a/b/c.txt", "a/z.md", "b.txt"])
    }

    @Test func reportsSizeInodeAndModificationTime() throws {
        let tree = try TemporaryTree()
        let path = try tree.write("a.txt", "hello")
        var times = [timespec(tv_sec: 1_700_000_000, tv_nsec: 123_456_789), timespec(tv_sec: 1_700_000_000, tv_nsec: 123_456_789)]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        var status = Glibc.stat()
        #expect(Glibc.lstat(path, &status) == 0)
        let file = try #require(FileWalker(root: tree.path, rules: WalkRules()).walk().files.first)
        #expect(file == DiscoveredFile(path: path, device: UInt64(status.st_dev), inode: UInt64(status.st_ino), size: 5, mtimeNanoseconds: 1_700_000_000_123_456_789))
    }

    @Test func skipsDefaultExcludes() throws {
        let tree = try TemporaryTree()
        try tree.write(".git/config", "x")
        try tree.write("node_modules/pkg/index.js", "x")
        try tree.write(".hidden.md", "x")
        try tree.write("src/.cache/x.txt", "x")
        try tree.write("src/build/out.txt", "x")
        try tree.write("src/main.o", "x")
        try tree.write("src/main.c", "x")
        let result = FileWalker(root: tree.path, rules: WalkRules()).walk()
        #expect(tree.relative(result.files.map(\.path)) == ["src/main.c"])
        let everything = FileWalker(root: tree.path, rules: WalkRules(useDefaultExcludes: false)).walk()
        #expect(everything.files.count == 7)
    }

    @Test func appliesIncludeGlobs() throws {
        let tree = try TemporaryTree()
        try tree.write("a.md", "x")
        try tree.write("a.txt", "x")
        try tree.write("docs/b.txt", "x")
        try tree.write("docs/deep/c.md", "x")
        let rules = WalkRules(include: ["*.md", "docs/*.txt"])
        let result = FileWalker(root: tree.path, rules: rules).walk()
        #expect(tree.relative(result.files.map(\.path)) == ["a.md", "docs/b.txt", "docs/deep/c.md"])
    }

    @Test func recordsSymbolicLinkLoopsAndBrokenLinks() throws {
        let tree = try TemporaryTree()
        try tree.write("dir/a.txt", "x")
        try tree.link("dir/loop", to: "..")
        try tree.link("dir/self", to: "self")
        try tree.link("broken.txt", to: "nowhere.txt")
        let result = FileWalker(root: tree.path, rules: WalkRules()).walk()
        #expect(tree.relative(result.files.map(\.path)) == ["dir/a.txt"])
        let problems = Dictionary(uniqueKeysWithValues: result.problems.map { (tree.relative([$0.path])[0], $0.reason) })
        #expect(problems["dir/loop"] == "symbolic link loop")
        #expect(problems["dir/self"] == "symbolic link loop")
        #expect(problems["broken.txt"] == "broken symbolic link")
        #expect(problems.count == 3)
    }

    @Test func followsLinksToFilesAndDirectoriesOutsideTheRoot() throws {
        let outside = try TemporaryTree()
        try outside.write("shared/x.md", "x")
        try outside.write("single.txt", "y")
        let tree = try TemporaryTree()
        try tree.write("own.txt", "z")
        try tree.link("linked", to: outside.url("shared"))
        try tree.link("file.txt", to: outside.url("single.txt"))
        let result = FileWalker(root: tree.path, rules: WalkRules()).walk()
        #expect(result.problems == [])
        #expect(tree.relative(result.files.map(\.path)) == ["file.txt", "own.txt", "linked/x.md"])
    }

    @Test func linkToADirectoryInsideTheRootIsNotIndexedTwice() throws {
        let tree = try TemporaryTree()
        try tree.write("real/a.txt", "x")
        try tree.link("alias", to: "real")  // sorts before "real"
        let result = FileWalker(root: tree.path, rules: WalkRules()).walk()
        #expect(tree.relative(result.files.map(\.path)) == ["real/a.txt"])
        #expect(result.problems == [])
    }

    @Test func unreadableDirectoryIsAProblemAndTheWalkGoesOn() throws {
        let tree = try TemporaryTree()
        try tree.write("locked/secret.txt", "x")
        try tree.write("open/a.txt", "x")
        #expect(chmod(tree.url("locked"), 0) == 0)
        let result = FileWalker(root: tree.path, rules: WalkRules()).walk()
        #expect(tree.relative(result.files.map(\.path)).contains("open/a.txt"))
        // Root ignores permissions (CAP_DAC_OVERRIDE), and these tests run as root in CI: there the
        // directory reads fine. The errno → reason mapping is covered in WalkProblemTests.
        if geteuid() != 0 {
            #expect(result.problems == [WalkProblem(path: tree.url("locked"), reason: "permission denied reading directory")])
        }
    }

    @Test func nonUTF8NameIsReportedEscapedAndSkipped() throws {
        let tree = try TemporaryTree()
        try tree.write("good.txt", "x")
        let bad: [UInt8] = Array((tree.path + "/bad").utf8) + [0xFF, 0x2E, 0x74, 0x78, 0x74, 0]
        let descriptor = bad.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_CREAT | O_WRONLY, 0o644) }
        }
        #expect(descriptor >= 0)
        close(descriptor)
        let result = FileWalker(root: tree.path, rules: WalkRules()).walk()
        #expect(tree.relative(result.files.map(\.path)) == ["good.txt"])
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.path == tree.path + "/bad\\xff.txt")
        #expect(result.problems.first?.reason.contains("not valid UTF-8") == true)
    }

    @Test func nameWithANewlineIsAnOrdinaryFile() throws {
        let tree = try TemporaryTree()
        try tree.write("two\nlines.txt", "x")
        let result = FileWalker(root: tree.path, rules: WalkRules()).walk()
        #expect(result.files.map(\.path) == [tree.path + "/two\nlines.txt"])
    }

    @Test func fifosAreSkippedSilently() throws {
        let tree = try TemporaryTree()
        #expect(mkfifo(tree.url("pipe"), 0o644) == 0)
        try tree.write("a.txt", "x")
        let result = FileWalker(root: tree.path, rules: WalkRules()).walk()
        #expect(tree.relative(result.files.map(\.path)) == ["a.txt"])
        #expect(result.problems == [])
    }

    @Test func largeFilesAreStillDiscovered() throws {
        let tree = try TemporaryTree()
        try tree.write("big.txt", String(repeating: "x", count: 100))
        let result = FileWalker(root: tree.path, rules: WalkRules(maxFileSize: 10)).walk()
        #expect(result.files.map(\.size) == [100])
    }

    @Test func missingRootIsOneProblem() {
        let result = FileWalker(root: "/nonexistent-\(UUID().uuidString)", rules: WalkRules()).walk()
        #expect(result.files == [])
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.reason == "directory does not exist")
    }

    @Test func rootThatIsAFileIsOneProblem() throws {
        let tree = try TemporaryTree()
        let file = try tree.write("a.txt", "x")
        let result = FileWalker(root: file, rules: WalkRules()).walk()
        #expect(result.problems == [WalkProblem(path: file, reason: "not a directory")])
    }

    @Test func walksOnlyTheSubtree() throws {
        let tree = try TemporaryTree()
        try tree.write("a/x.txt", "x")
        try tree.write("b/y.txt", "y")
        try tree.write("b/c/z.txt", "z")
        try tree.write("node_modules/m/n.txt", "n")
        let walker = FileWalker(root: tree.path + "/", rules: WalkRules())
        #expect(tree.relative(walker.walk(subtree: tree.url("b")).files.map(\.path)) == ["b/c/z.txt", "b/y.txt"])
        #expect(tree.relative(walker.walk(subtree: "b/c").files.map(\.path)) == ["b/c/z.txt"])
        #expect(walker.walk(subtree: tree.url("node_modules/m")).files == [])
        #expect(walker.walk(subtree: "/elsewhere").problems.count == 1)
        let gone = walker.walk(subtree: tree.url("b/vanished"))
        #expect(gone.files == [] && gone.problems == [])
    }

    @Test func statOfOneFileAppliesTheRules() throws {
        let tree = try TemporaryTree()
        let file = try tree.write("docs/a.md", "x")
        let hidden = try tree.write(".git/HEAD", "x")
        let object = try tree.write("docs/a.o", "x")
        try tree.link("docs/broken.md", to: "gone.md")
        let walker = FileWalker(root: tree.path, rules: WalkRules())
        #expect(try walker.stat(file: file)?.get().size == 1)
        #expect(walker.stat(file: hidden) == nil)
        #expect(walker.stat(file: object) == nil)
        #expect(walker.stat(file: tree.url("docs/missing.md")) == nil)
        #expect(walker.stat(file: tree.url("docs")) == nil)
        #expect(walker.stat(file: "/etc/passwd") == nil)
        #expect(walker.stat(file: tree.url("docs/broken.md")) == .failure(WalkProblem(path: tree.url("docs/broken.md"), reason: "broken symbolic link")))
    }

    @Test func manyFilesAreWalkedQuickly() throws {
        let tree = try TemporaryTree()
        for directory in 0..<20 {
            for file in 0..<100 {
                try tree.write("d\(directory)/f\(file).txt", "")
            }
        }
        let clock = ContinuousClock()
        var count = 0
        let elapsed = clock.measure {
            count = FileWalker(root: tree.path, rules: WalkRules()).walk().files.count
        }
        #expect(count == 2000)
        print("FileWalker: 2000 files in \(elapsed)")
    }
}
