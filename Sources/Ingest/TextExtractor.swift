import Glibc

/// Reads a file and returns its text, or says why it has none.
///
/// Order of judgement: not a regular file; a binary or unsupported format by name; too large; then the
/// bytes are read once, hashed, sniffed for binary content and decoded (see ``TextDecoding``).
public struct TextExtractor: Sendable {
    public let maxFileSize: Int64

    public init(maxFileSize: Int64 = 20 << 20) {
        self.maxFileSize = maxFileSize
    }

    public func extract(path: String) throws(ExtractionError) -> ExtractedText {
        // O_NONBLOCK: opening a fifo that slipped in would otherwise wait for a writer forever.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard descriptor >= 0 else { throw TextExtractor.openError(errno) }
        defer { close(descriptor) }

        var status = Glibc.stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadable(reason: String(cString: strerror(errno))) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .notRegularFile }

        let name = path.split(separator: "/").last.map(String.init) ?? path
        let nameVerdict = FileKind.verdict(forFileName: name)
        switch nameVerdict {
        case .binary(let ext): throw .binary(reason: ".\(ext) files are binary")
        case .unsupported(let format): throw .unsupportedType(format)
        // Read by the sandboxed extractors, never in-process (see Indexer).
        case .document(let format): throw .unsupportedType(FileKind.displayName(format))
        case .text, .unknown: break
        }

        let expectedSize = Int64(status.st_size)
        guard expectedSize <= maxFileSize else { throw .tooLarge(size: expectedSize, limit: maxFileSize) }
        let bytes = try readAll(descriptor, expectedSize: Int(expectedSize))

        // A file deleted while we read it still reads fine through our descriptor; it is gone all the same.
        if fstat(descriptor, &status) == 0 && status.st_nlink == 0 { throw .vanished }

        let trustName: Bool
        if case .text = nameVerdict { trustName = true } else { trustName = false }
        let (hash, sniffed) = bytes.withUnsafeBytes { raw in
            (ContentHash.sha256Hex(raw), ContentSniffing.verdict(raw, trustName: trustName))
        }
        switch sniffed {
        case .binary(let reason): throw .binary(reason: reason)
        case .unsupported(let format): throw .unsupportedType(format)
        case .text: break
        }
        let decoded = bytes.withUnsafeBytes { TextDecoding.decode($0) }
        let text = decoded.text
        let kind: FileKind
        switch nameVerdict {
        // README, NOTICE and friends are often Markdown in disguise.
        case .text(let named) where named != .plainText || name.contains("."): kind = named
        default: kind = ContentSniffing.kind(text)
        }
        var extracted = ExtractedText(
            text: text, encoding: decoded.encoding, kind: kind, contentHash: hash, byteCount: bytes.count)
        extracted.replacements = decoded.replacements
        return extracted
    }

    /// Reads to the end of the file: it may have grown since fstat, and it must stay under the limit.
    private func readAll(_ descriptor: Int32, expectedSize: Int) throws(ExtractionError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: max(expectedSize, 0) + 1)
        var count = 0
        while true {
            if count == bytes.count {
                guard Int64(count) <= maxFileSize else { throw .tooLarge(size: Int64(count), limit: maxFileSize) }
                bytes.append(contentsOf: repeatElement(0, count: max(bytes.count, 4096)))
            }
            let capacity = bytes.count - count
            let got = bytes.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress.map { $0 + count }, capacity)
            }
            if got == 0 { break }
            if got < 0 {
                let code = errno
                if code == EINTR { continue }
                throw .unreadable(reason: String(cString: strerror(code)))
            }
            count += got
        }
        guard Int64(count) <= maxFileSize else { throw .tooLarge(size: Int64(count), limit: maxFileSize) }
        bytes.removeSubrange(count...)
        return bytes
    }

    static func openError(_ code: Int32) -> ExtractionError {
        switch code {
        case ENOENT, ENOTDIR: return .vanished
        case EACCES, EPERM: return .unreadable(reason: "permission denied")
        case ELOOP: return .unreadable(reason: "symbolic link loop")
        case ENXIO: return .notRegularFile  // a socket or a fifo without writer
        case EMFILE, ENFILE: return .descriptorsExhausted
        default: return .unreadable(reason: String(cString: strerror(code)))
        }
    }
}
