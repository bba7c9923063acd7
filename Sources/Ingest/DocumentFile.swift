import Crypto
import Glibc

/// A document opened for an extractor: the descriptor the sandboxed child reads, and the hash of the
/// bytes, taken by the daemon itself (the child's word is not needed for what changed).
final class DocumentFile: Sendable {
    let descriptor: Int32
    let contentHash: String
    let size: Int64

    /// Opens a regular file under `maxFileSize`, hashes it, and rewinds it for the child.
    init(path: String, maxFileSize: Int64) throws(ExtractionError) {
        // O_NONBLOCK: opening a fifo that slipped in would otherwise wait for a writer forever.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard descriptor >= 0 else { throw TextExtractor.openError(errno) }
        var status = Glibc.stat()
        guard fstat(descriptor, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw .unreadable(reason: reason)
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw .notRegularFile
        }
        guard Int64(status.st_size) <= maxFileSize else {
            close(descriptor)
            throw .tooLarge(size: Int64(status.st_size), limit: maxFileSize)
        }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var total: Int64 = 0
        while true {
            let got = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(total)) }
            if got == 0 { break }
            if got < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw .unreadable(reason: reason)
            }
            total += Int64(got)
            // It grew past the limit while we read it.
            guard total <= maxFileSize else {
                close(descriptor)
                throw .tooLarge(size: total, limit: maxFileSize)
            }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<got])) }
        }
        // The child reads from the start; O_NONBLOCK does not matter for a regular file.
        guard lseek(descriptor, 0, SEEK_SET) == 0 else {
            close(descriptor)
            throw .unreadable(reason: "cannot rewind the file")
        }
        self.descriptor = descriptor
        self.contentHash = ContentHash.hex(hasher.finalize())
        self.size = total
    }

    deinit {
        close(descriptor)
    }
}
