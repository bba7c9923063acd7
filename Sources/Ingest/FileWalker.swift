import Glibc

/// Finds the regular files under a root that its ``WalkRules`` select.
///
/// Symbolic links to files and directories are followed and their files reported under the link's
/// path. Linked directories are walked after all real directories, so a link into a part of the tree
/// that is walked anyway is skipped instead of indexing the same files twice; a link to a directory
/// above itself is reported as a "symbolic link loop". Fifos, sockets and devices are skipped
/// silently. Names that are not valid UTF-8 are reported as problems and skipped.
public struct FileWalker: Sendable {
    /// The root without trailing slashes.
    public let root: String
    public let rules: WalkRules

    public init(root: String, rules: WalkRules) {
        var trimmed = Substring(root)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        self.root = String(trimmed)
        self.rules = rules
    }

    /// The whole tree under the root.
    public func walk() -> WalkResult {
        var walk = Walk(walker: self)
        walk.run(absolute: root, relative: "", missingIsProblem: true)
        return walk.result
    }

    /// Only the tree under `subtree`, an absolute path of a directory inside the root (or a path
    /// relative to the root). Empty when the directory no longer exists or when it, or one above it,
    /// is excluded by the rules.
    public func walk(subtree: String) -> WalkResult {
        guard let relative = relativePath(of: subtree) else {
            return WalkResult(problems: [WalkProblem(path: subtree, reason: "directory is not inside the root \(root)")])
        }
        if relative.isEmpty { return walk() }
        let components = relative.split(separator: "/")
        for depth in 1...components.count {
            let prefix = components[0..<depth].joined(separator: "/")
            if rules.isExcludedDirectory(relativePath: prefix, name: String(components[depth - 1])) {
                return WalkResult()
            }
        }
        var walk = Walk(walker: self)
        walk.run(absolute: absolutePath(relative), relative: relative, missingIsProblem: false)
        return walk.result
    }

    /// The current state of one file: nil when it no longer exists, is not a regular file, is outside
    /// the root or is excluded by the rules; a problem when it cannot be examined (a broken link, a
    /// loop, no permission).
    public func stat(file path: String) -> Result<DiscoveredFile, WalkProblem>? {
        guard let relative = relativePath(of: path), !relative.isEmpty else { return nil }
        let components = relative.split(separator: "/").map(String.init)
        guard let name = components.last else { return nil }
        for depth in 1..<components.count {
            let prefix = components[0..<depth].joined(separator: "/")
            if rules.isExcludedDirectory(relativePath: prefix, name: components[depth - 1]) { return nil }
        }
        guard rules.isIncludedFile(relativePath: relative, name: name) else { return nil }

        let absolute = absolutePath(relative)
        var status = Glibc.stat()
        if fstatat(AT_FDCWD, absolute, &status, 0) != 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR {
                var linkStatus = Glibc.stat()
                if lstat(absolute, &linkStatus) == 0 && FileWalker.isSymbolicLink(linkStatus) {
                    return .failure(WalkProblem(path: absolute, reason: WalkProblem.brokenSymbolicLink))
                }
                return nil
            }
            return .failure(WalkProblem(path: absolute, reason: WalkProblem.reason(errno: code, reading: "reading file information")))
        }
        guard FileWalker.isRegularFile(status) else { return nil }
        return .success(FileWalker.discoveredFile(path: absolute, status))
    }

    // MARK: - Paths

    func absolutePath(_ relative: String) -> String {
        if relative.isEmpty { return root }
        return root == "/" ? "/" + relative : root + "/" + relative
    }

    /// The path relative to the root ("" for the root itself), or nil when it is outside.
    func relativePath(of path: String) -> String? {
        let cleaned = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        guard path.hasPrefix("/") else {
            return cleaned.contains("..") ? nil : cleaned.joined(separator: "/")
        }
        let rootComponents = root.split(separator: "/", omittingEmptySubsequences: true)
        guard cleaned.count >= rootComponents.count, Array(cleaned.prefix(rootComponents.count)) == rootComponents else {
            return nil
        }
        let rest = cleaned.dropFirst(rootComponents.count)
        return rest.contains("..") ? nil : rest.joined(separator: "/")
    }

    // MARK: - stat helpers

    static func isRegularFile(_ status: Glibc.stat) -> Bool { status.st_mode & S_IFMT == S_IFREG }
    static func isDirectory(_ status: Glibc.stat) -> Bool { status.st_mode & S_IFMT == S_IFDIR }
    static func isSymbolicLink(_ status: Glibc.stat) -> Bool { status.st_mode & S_IFMT == S_IFLNK }

    static func discoveredFile(path: String, _ status: Glibc.stat) -> DiscoveredFile {
        DiscoveredFile(
            path: path,
            device: UInt64(status.st_dev),
            inode: UInt64(status.st_ino),
            size: Int64(status.st_size),
            mtimeNanoseconds: Int64(status.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(status.st_mtim.tv_nsec)
        )
    }
}

/// The state of one walk: results so far, the directories seen, and the linked directories still to do.
private struct Walk {
    struct DirectoryID: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    /// One entry of a directory, examined while the directory is open and handled after it is closed,
    /// so a deep tree never holds more than one directory descriptor.
    enum Entry {
        case file(DiscoveredFile)
        case directory(relative: String)
        case linkedDirectory(relative: String)
        case problem(WalkProblem)
    }

    let walker: FileWalker
    var result = WalkResult()
    /// Where each directory was walked (relative path), to tell loops from duplicates.
    var visited: [DirectoryID: String] = [:]
    var pendingLinks: [String] = []

    init(walker: FileWalker) { self.walker = walker }

    /// `missingIsProblem` is false for subtrees: a directory that appeared and vanished again is just gone.
    mutating func run(absolute: String, relative: String, missingIsProblem: Bool) {
        var status = Glibc.stat()
        if fstatat(AT_FDCWD, absolute, &status, 0) != 0 {
            let code = errno
            if (code == ENOENT || code == ENOTDIR) && !missingIsProblem { return }
            let reason = code == ENOENT ? "directory does not exist" : WalkProblem.reason(errno: code, reading: "reading directory")
            result.problems.append(WalkProblem(path: absolute, reason: reason))
            return
        }
        guard FileWalker.isDirectory(status) else {
            result.problems.append(WalkProblem(path: absolute, reason: "not a directory"))
            return
        }
        walkDirectory(relative: relative, isStart: true)
        // Links last: by now every real directory is in `visited`, so a link into the tree is a duplicate.
        var next = 0
        while next < pendingLinks.count {
            walkDirectory(relative: pendingLinks[next], isStart: false)
            next += 1
        }
    }

    private mutating func walkDirectory(relative: String, isStart: Bool) {
        let absolute = walker.absolutePath(relative)
        let descriptor = open(absolute, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            // A directory deleted during the walk is simply gone; the start directory must exist.
            if (code == ENOENT || code == ENOTDIR) && !isStart { return }
            let reason = code == ENOENT ? "directory does not exist" : WalkProblem.reason(errno: code, reading: "reading directory")
            result.problems.append(WalkProblem(path: absolute, reason: reason))
            return
        }
        var status = Glibc.stat()
        guard fstat(descriptor, &status) == 0 else {
            let code = errno
            close(descriptor)
            result.problems.append(WalkProblem(path: absolute, reason: WalkProblem.reason(errno: code, reading: "reading directory")))
            return
        }
        let id = DirectoryID(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
        if let walkedAt = visited[id] {
            close(descriptor)
            if walkedAt.isEmpty || relative.hasPrefix(walkedAt + "/") {
                result.problems.append(WalkProblem(path: absolute, reason: WalkProblem.symbolicLinkLoop))
            }
            // Otherwise the same directory is indexed under `walkedAt` already.
            return
        }
        visited[id] = relative

        guard let directory = fdopendir(descriptor) else {
            let code = errno
            close(descriptor)
            result.problems.append(WalkProblem(path: absolute, reason: WalkProblem.reason(errno: code, reading: "reading directory")))
            return
        }
        let entries = examineEntries(of: directory, descriptor: descriptor, absolute: absolute, relative: relative)
        closedir(directory)

        for entry in entries {
            switch entry {
            case .file(let file): result.files.append(file)
            case .problem(let problem): result.problems.append(problem)
            case .directory(let child): walkDirectory(relative: child, isStart: false)
            case .linkedDirectory(let child): pendingLinks.append(child)
            }
        }
    }

    private func examineEntries(
        of directory: OpaquePointer, descriptor: Int32, absolute: String, relative: String
    ) -> [Entry] {
        var raw: [(name: [UInt8], type: UInt8)] = []
        errno = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: &entry.pointee.d_name) { buffer -> [UInt8] in
                let length = buffer.firstIndex(of: 0) ?? buffer.count
                return Array(buffer[0..<length])
            }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            raw.append((name, entry.pointee.d_type))
        }
        var entries: [Entry] = []
        if errno != 0 {
            entries.append(.problem(WalkProblem(path: absolute, reason: WalkProblem.reason(errno: errno, reading: "reading directory"))))
        }
        raw.sort { $0.name.lexicographicallyPrecedes($1.name) }

        let rules = walker.rules
        let prefix = relative.isEmpty ? "" : relative + "/"
        let absolutePrefix = absolute == "/" ? "/" : absolute + "/"
        for (bytes, type) in raw {
            guard let name = PathBytes.string(bytes) else {
                entries.append(.problem(WalkProblem(path: absolutePrefix + PathBytes.escaped(bytes), reason: WalkProblem.invalidUTF8)))
                continue
            }
            let childRelative = prefix + name
            let childAbsolute = absolutePrefix + name

            var type = Int(type)
            if type == Int(DT_UNKNOWN) {
                // Some file systems do not fill in d_type; ask.
                var linkStatus = Glibc.stat()
                guard fstatat(descriptor, name, &linkStatus, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                type = FileWalker.isSymbolicLink(linkStatus) ? Int(DT_LNK)
                    : FileWalker.isDirectory(linkStatus) ? Int(DT_DIR)
                    : FileWalker.isRegularFile(linkStatus) ? Int(DT_REG) : Int(DT_FIFO)
            }
            switch type {
            case Int(DT_DIR):
                if !rules.isExcludedDirectory(relativePath: childRelative, name: name) {
                    entries.append(.directory(relative: childRelative))
                }
                continue
            case Int(DT_REG):
                guard rules.isIncludedFile(relativePath: childRelative, name: name) else { continue }
            case Int(DT_LNK):
                break
            default:
                continue  // fifo, socket, device
            }

            var status = Glibc.stat()
            // Follows links; an lstat afterwards tells a broken link from a file that just vanished.
            if fstatat(descriptor, name, &status, 0) != 0 {
                let code = errno
                if code == ENOENT {
                    var linkStatus = Glibc.stat()
                    if fstatat(descriptor, name, &linkStatus, AT_SYMLINK_NOFOLLOW) == 0 && FileWalker.isSymbolicLink(linkStatus) {
                        entries.append(.problem(WalkProblem(path: childAbsolute, reason: WalkProblem.brokenSymbolicLink)))
                    }
                } else {
                    entries.append(.problem(WalkProblem(path: childAbsolute, reason: WalkProblem.reason(errno: code, reading: "reading file information"))))
                }
                continue
            }
            if FileWalker.isRegularFile(status) {
                if type == Int(DT_REG) || rules.isIncludedFile(relativePath: childRelative, name: name) {
                    entries.append(.file(FileWalker.discoveredFile(path: childAbsolute, status)))
                }
            } else if FileWalker.isDirectory(status) {
                guard !rules.isExcludedDirectory(relativePath: childRelative, name: name) else { continue }
                if type == Int(DT_LNK) {
                    entries.append(.linkedDirectory(relative: childRelative))
                } else {
                    entries.append(.directory(relative: childRelative))
                }
            }
        }
        return entries
    }
}
