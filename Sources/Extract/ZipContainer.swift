import Foundation
import CZlib

/// The ZIP container of DOCX, XLSX, PPTX, OpenDocument and EPUB files, read from memory by a small
/// reader of its own: every offset and size from the file is bounds-checked before use, and the
/// bomb guards of ``ExtractionLimits`` are enforced while inflating — the bytes actually produced
/// count against the total and the per-entry ratio, so a header that lies about sizes buys nothing.
/// (ZIPFoundation's in-memory archive traps on an offset past the end, which the fuzzer found at once.)
final class ZipContainer {
    struct Entry {
        var path: String
        var method: UInt16
        var flags: UInt16
        var compressedSize: Int
        var localHeaderOffset: Int
    }

    private let bytes: [UInt8]
    private let limits: ExtractionLimits
    private let fileName: String
    private var inflatedTotal = 0
    /// Entries by path (the first of duplicates, as most readers do).
    private var entries: [String: Entry] = [:]
    private(set) var paths: [String] = []

    /// Below this an entry's ratio is not judged: small XML parts compress very well and harmlessly.
    private static let ratioFloor = 1 << 20

    init(_ bytes: [UInt8], fileName: String, limits: ExtractionLimits) throws(ExtractionFailure) {
        self.bytes = bytes
        self.limits = limits
        self.fileName = fileName
        let corrupt = ExtractionFailure(.corrupt, "\(fileName) is not a readable ZIP container")
        // End of central directory: 22 bytes plus a comment of up to 65,535, at the end.
        guard bytes.count >= 22 else { throw corrupt }
        var end = -1
        var index = bytes.count - 22
        while index >= max(0, bytes.count - 22 - 65_535) {
            if u32(index) == 0x0605_4B50 {
                end = index
                break
            }
            index -= 1
        }
        guard end >= 0 else { throw corrupt }
        var count = Int(u16(end + 10))
        var directorySize = Int(u32(end + 12))
        var directoryOffset = Int(u32(end + 16))
        // ZIP64: the locator sits just before the end record and points to the ZIP64 end record.
        if end >= 20, u32(end - 20) == 0x0706_4B50, let zip64 = Int(exactly: u64(end - 12)),
            zip64 >= 0, zip64 + 56 <= bytes.count, u32(zip64) == 0x0606_4B50 {
            count = Int(clamping: u64(zip64 + 32))
            directorySize = Int(clamping: u64(zip64 + 40))
            directoryOffset = Int(clamping: u64(zip64 + 48))
        }
        if count > limits.maxArchiveEntries {
            throw ExtractionFailure(.limitExceeded, "\(fileName) holds more than \(limits.maxArchiveEntries) entries (maxArchiveEntries)")
        }
        guard directoryOffset >= 0, directorySize >= 0, directoryOffset <= bytes.count - directorySize else { throw corrupt }
        var position = directoryOffset
        for _ in 0..<count {
            guard position + 46 <= bytes.count, u32(position) == 0x0201_4B50 else { throw corrupt }
            let nameLength = Int(u16(position + 28)), extraLength = Int(u16(position + 30)), commentLength = Int(u16(position + 32))
            guard position + 46 + nameLength + extraLength + commentLength <= bytes.count else { throw corrupt }
            var compressedSize = Int(u32(position + 20))
            var localHeaderOffset = Int(u32(position + 42))
            let uncompressed32 = u32(position + 24)
            // ZIP64 extended information: the 64-bit values of the fields that read 0xFFFFFFFF, in order.
            var extra = position + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = u16(extra), size = Int(u16(extra + 2))
                if id == 0x0001 {
                    var field = extra + 4
                    if uncompressed32 == 0xFFFF_FFFF, field + 8 <= extraEnd { field += 8 }
                    if compressedSize == 0xFFFF_FFFF, field + 8 <= extraEnd {
                        compressedSize = Int(clamping: u64(field))
                        field += 8
                    }
                    if localHeaderOffset == 0xFFFF_FFFF, field + 8 <= extraEnd { localHeaderOffset = Int(clamping: u64(field)) }
                }
                extra += 4 + size
            }
            let path = String(decoding: bytes[(position + 46)..<(position + 46 + nameLength)], as: UTF8.self)
            if entries[path] == nil {
                entries[path] = Entry(
                    path: path, method: u16(position + 10), flags: u16(position + 8), compressedSize: compressedSize,
                    localHeaderOffset: localHeaderOffset)
                paths.append(path)
            }
            position += 46 + nameLength + extraLength + commentLength
        }
        if paths.isEmpty { throw ExtractionFailure(.corrupt, "\(fileName) is an empty ZIP container") }
    }

    func contains(_ path: String) -> Bool { entries[path] != nil }

    /// The inflated bytes of `path`, or nil if there is no such entry.
    func data(_ path: String) throws(ExtractionFailure) -> [UInt8]? {
        guard let entry = entries[path.hasPrefix("/") ? String(path.dropFirst()) : path] else { return nil }
        let corrupt = ExtractionFailure(.corrupt, "\(fileName): entry \(entry.path) is damaged")
        if entry.flags & 1 != 0 {
            throw ExtractionFailure(.encrypted, "\(fileName) is password-protected (encrypted ZIP entries); save an unprotected copy to index it")
        }
        let header = entry.localHeaderOffset
        guard header >= 0, header <= bytes.count - 30, u32(header) == 0x0403_4B50 else { throw corrupt }
        let dataStart = header + 30 + Int(u16(header + 26)) + Int(u16(header + 28))
        guard entry.compressedSize >= 0, dataStart <= bytes.count, entry.compressedSize <= bytes.count - dataStart else { throw corrupt }
        let compressed = bytes[dataStart..<(dataStart + entry.compressedSize)]
        let out: [UInt8]
        switch entry.method {
        case 0:
            if let failure = limitFailure(compressed.count, compressed: compressed.count, entry: entry) { throw failure }
            out = Array(compressed)
        case 8:
            out = try inflate(compressed, entry: entry)
        default:
            throw ExtractionFailure(.unsupported, "\(fileName): entry \(entry.path) uses ZIP compression method \(entry.method), which is not read")
        }
        inflatedTotal += out.count
        return out
    }

    /// Raw deflate through zlib, 64 KB at a time, each step checked against the limits.
    private func inflate(_ compressed: ArraySlice<UInt8>, entry: Entry) throws(ExtractionFailure) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ExtractionFailure(.corrupt, "\(fileName): zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var input = Array(compressed)
        var failure: ExtractionFailure?
        input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            while true {
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { target -> (Int32, Int) in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return (status, target.count - Int(stream.avail_out))
                }
                out.append(contentsOf: chunk[0..<produced])
                if let limit = limitFailure(out.count, compressed: compressed.count, entry: entry) {
                    failure = limit
                    return
                }
                if status == Z_STREAM_END { return }
                if status != Z_OK || (produced == 0 && stream.avail_in == 0) {
                    // A truncated or damaged stream: what inflated so far is kept only if it ended cleanly.
                    failure = ExtractionFailure(.corrupt, "\(fileName): entry \(entry.path) cannot be inflated (zlib status \(status))")
                    return
                }
            }
        }
        if let failure { throw failure }
        return out
    }

    /// The limit `inflated` bytes of `entry` (from `compressed`) exceed, if any.
    private func limitFailure(_ inflated: Int, compressed: Int, entry: Entry) -> ExtractionFailure? {
        if inflatedTotal + inflated > limits.maxUncompressedBytes {
            return ExtractionFailure(
                .limitExceeded,
                "\(fileName) inflates to more than \(limits.maxUncompressedBytes) bytes (maxUncompressedBytes): a ZIP bomb or far too large")
        }
        if inflated > Self.ratioFloor, inflated / max(compressed, 1) > limits.maxCompressionRatio {
            return ExtractionFailure(
                .limitExceeded,
                "\(fileName): entry \(entry.path) inflates more than \(limits.maxCompressionRatio) times its compressed size (maxCompressionRatio): a ZIP bomb")
        }
        return nil
    }

    private func u16(_ offset: Int) -> UInt16 {
        guard offset >= 0, offset + 2 <= bytes.count else { return 0 }
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    private func u32(_ offset: Int) -> UInt32 {
        guard offset >= 0, offset + 4 <= bytes.count else { return 0 }
        return UInt32(u16(offset)) | UInt32(u16(offset + 2)) << 16
    }

    private func u64(_ offset: Int) -> UInt64 {
        guard offset >= 0, offset + 8 <= bytes.count else { return 0 }
        return UInt64(u32(offset)) | UInt64(u32(offset + 4)) << 32
    }

    /// The parsed XML of `path`, or nil if there is no such entry.
    func xml(_ path: String) throws(ExtractionFailure) -> XMLNode? {
        guard let bytes = try data(path) else { return nil }
        return try XMLReader.parse(bytes, limits: limits, name: "\(fileName): \(path)")
    }

    /// The targets of an OOXML relationships part (`word/_rels/document.xml.rels`) by id, resolved to
    /// paths in the container.
    func relationships(of part: String) throws(ExtractionFailure) -> [String: (type: String, path: String)] {
        let directory = Self.directory(of: part)
        let file = Self.fileName(of: part)
        guard let rels = try xml((directory.isEmpty ? "" : directory + "/") + "_rels/" + file + ".rels") else { return [:] }
        var out: [String: (String, String)] = [:]
        for relationship in rels.descendants("Relationship") {
            guard let id = relationship.attribute("Id"), let target = relationship.attribute("Target"),
                relationship.attribute("TargetMode") != "External" else { continue }
            out[id] = (relationship.attribute("Type") ?? "", Self.resolve(target, against: directory))
        }
        return out
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }

    static func fileName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// `target` (relative, or absolute from the container root, maybe percent-encoded) as a path.
    static func resolve(_ target: String, against directory: String) -> String {
        let decoded = target.removingPercentEncoding ?? target
        var components: [Substring] = decoded.hasPrefix("/") ? [] : directory.split(separator: "/")
        for component in decoded.split(separator: "/") {
            if component == ".." {
                _ = components.popLast()
            } else if component != "." {
                components.append(component)
            }
        }
        return components.joined(separator: "/")
    }
}
