public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reading a model's small files (tokenizer.json, vocab.txt, config.json) whole. The path must name a
/// regular file, checked on the open descriptor: a FIFO planted in a model folder would otherwise make
/// the read wait forever for a writer, and a device could be read without end.
public enum RegularFile {
    /// The bytes of the file at `path`, or why they cannot be had.
    public static func read(_ path: String) -> Result<[UInt8], RegularFileError> {
        // O_NONBLOCK: opening a FIFO does not wait for a writer; reads of a regular file ignore it.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { return .failure(errno == ENOENT ? .missing : .unreadable(String(cString: strerror(errno)))) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { return .failure(.unreadable(String(cString: strerror(errno)))) }
        guard status.st_mode & S_IFMT == S_IFREG else { return .failure(.notRegularFile) }
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
        var filled = 0
        while filled < bytes.count {
            let n = bytes[filled...].withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                if n < 0 { return .failure(.unreadable(String(cString: strerror(errno)))) }
                break  // shrank while being read
            }
            filled += n
        }
        return .success(Array(bytes[..<filled]))
    }

    /// The bytes of the file at `url` as `Data`; throws `RegularFileError`.
    public static func data(_ url: URL) throws -> Data {
        Data(try read(url.path).get())
    }
}

public enum RegularFileError: Error, LocalizedError, Sendable, Equatable {
    case missing
    /// A directory, FIFO, socket or device.
    case notRegularFile
    case unreadable(String)

    public var reason: String {
        switch self {
        case .missing: "it does not exist"
        case .notRegularFile: "not a regular file (a model file must be one; a FIFO or device is refused)"
        case .unreadable(let reason): reason
        }
    }

    public var errorDescription: String? { reason }
}
