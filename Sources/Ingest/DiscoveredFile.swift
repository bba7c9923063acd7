/// A regular file found by a walk, with what is needed to tell later whether it changed.
public struct DiscoveredFile: Sendable, Equatable {
    /// Absolute path, through symbolic links as they appear under the root (never resolved).
    public var path: String
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    /// Modification time in nanoseconds since the Unix epoch.
    public var mtimeNanoseconds: Int64

    public init(path: String, device: UInt64, inode: UInt64, size: Int64, mtimeNanoseconds: Int64) {
        self.path = path
        self.device = device
        self.inode = inode
        self.size = size
        self.mtimeNanoseconds = mtimeNanoseconds
    }
}
