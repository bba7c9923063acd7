import Foundation

/// The mounted filesystems as `/proc/self/mounts` lists them: where each is mounted and its type.
/// The indexer asks it whether a root lies on a network filesystem, where inotify does not see
/// changes made by other machines.
struct MountTable: Equatable {
    struct Mount: Equatable {
        var mountPoint: String
        var type: String
    }

    /// In the kernel's order: a later mount on the same point hides an earlier one.
    var mounts: [Mount]

    /// Parses the fstab-like format: fields separated by spaces, the mount point second and the type
    /// third, with space, tab, newline and backslash written as octal escapes (`\040`, `\011`, `\012`,
    /// `\134`). Lines with fewer than three fields are passed over.
    init(parsing text: String) {
        mounts = text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 3 else { return nil }
            return Mount(mountPoint: Self.unescape(fields[1]), type: Self.unescape(fields[2]))
        }
    }

    /// The table of this process's mount namespace; nil when it cannot be read (no /proc). Read to
    /// the end: `String(contentsOfFile:)` stops after one read, which a seq_file ends at a page, so
    /// on a machine with many mounts (containers, snaps) a network mount listed later was missed.
    static func current() -> MountTable? {
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/mounts") else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.readToEnd() else { return nil }
        return MountTable(parsing: String(decoding: data, as: UTF8.self))
    }

    /// The filesystem type of the longest mount point that holds `path`; the last such mount wins
    /// among mounts on the same point.
    func filesystemType(containing path: String) -> String? {
        var best: Mount?
        for mount in mounts where Self.holds(mount.mountPoint, path) {
            if mount.mountPoint.utf8.count >= (best?.mountPoint.utf8.count ?? -1) { best = mount }
        }
        return best?.type
    }

    /// NFS, SMB/CIFS, FUSE and similar mounts may not report changes made elsewhere through inotify.
    func isNetworkFilesystem(_ path: String) -> Bool {
        guard let type = filesystemType(containing: path) else { return false }
        return Self.networkTypes.contains(type) || type.hasPrefix("fuse.")
    }

    private static let networkTypes: Set<String> = [
        "nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "ceph", "glusterfs", "davfs", "afs", "fuse",
    ]

    private static func holds(_ mountPoint: String, _ path: String) -> Bool {
        mountPoint == "/" || path == mountPoint || path.hasPrefix(mountPoint + "/")
    }

    /// Undoes the kernel's `\ooo` escapes; anything else stays as written.
    private static func unescape(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var bytes: [UInt8] = []
        let utf8 = Array(field.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "\\"), index + 3 < utf8.count, let value = octal(utf8[(index + 1)..<(index + 4)]) {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Three octal digits as one byte, or nil.
    private static func octal(_ digits: ArraySlice<UInt8>) -> UInt8? {
        var value = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "7") else { return nil }
            value = value * 8 + Int(digit - UInt8(ascii: "0"))
        }
        return value <= 255 ? UInt8(value) : nil
    }
}
