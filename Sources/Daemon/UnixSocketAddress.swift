import Glibc

/// A `sockaddr_un` for a filesystem path, or for a Linux abstract name written with a leading "@"
/// (the convention of `NOTIFY_SOCKET` and of `ss`), which becomes a leading NUL byte on the wire.
struct UnixSocketAddress {
    /// Bytes of a filesystem path that fit in `sun_path` together with its terminating NUL.
    static let maxPathBytes = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    private let storage: sockaddr_un
    private let length: socklen_t

    /// Returns nil for an empty path, a path containing NUL, or one too long for `sun_path`.
    init?(_ path: String) {
        var bytes = Array(path.utf8)
        let isAbstract = bytes.first == UInt8(ascii: "@")
        if isAbstract { bytes[0] = 0 }
        // An abstract name is not NUL-terminated, so it may use every byte of sun_path.
        let capacity = Self.maxPathBytes + (isAbstract ? 1 : 0)
        guard bytes.count > (isAbstract ? 1 : 0), bytes.count <= capacity,
              !bytes.dropFirst(isAbstract ? 1 : 0).contains(0) else { return nil }

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        storage = address
        // The kernel takes an abstract name's length from the address length, so it must be exact;
        // a path is counted with its NUL.
        let pathOffset = MemoryLayout<sa_family_t>.size
        length = socklen_t(pathOffset + bytes.count + (isAbstract ? 0 : 1))
    }

    func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        withUnsafePointer(to: storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }
}
