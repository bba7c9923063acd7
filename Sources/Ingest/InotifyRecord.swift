import Glibc

/// One `struct inotify_event` as read from an inotify descriptor.
struct InotifyRecord: Equatable {
    /// Watch descriptor the event belongs to; -1 for `IN_Q_OVERFLOW`.
    var descriptor: Int32
    var mask: UInt32
    /// Pairs the `IN_MOVED_FROM` and `IN_MOVED_TO` halves of one rename.
    var cookie: UInt32
    /// Entry name inside the watched directory; empty for events about the directory itself.
    var name: String

    /// `wd`, `mask`, `cookie`, `len`: four 32-bit fields, then `len` bytes of NUL-padded name.
    static let headerSize = MemoryLayout<inotify_event>.size

    /// Splits the bytes of one `read()` into records. The kernel only returns whole records, but every
    /// length is still checked against the buffer: a record that would run past the end ends parsing.
    /// Records whose name is not valid UTF-8 are skipped: such a file cannot be named by a `String`
    /// path, and the walker reports it instead.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> [InotifyRecord] {
        var records: [InotifyRecord] = []
        var offset = 0
        while bytes.count - offset >= headerSize {
            let descriptor = bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            let mask = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let cookie = bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
            let nameLength = Int(bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            let nameStart = offset + headerSize
            guard nameLength <= bytes.count - nameStart else { break }
            let nameBytes = bytes[nameStart..<(nameStart + nameLength)].prefix { $0 != 0 }
            offset = nameStart + nameLength
            guard let name = String(validating: nameBytes, as: UTF8.self) else { continue }
            records.append(InotifyRecord(descriptor: descriptor, mask: mask, cookie: cookie, name: name))
        }
        return records
    }
}
