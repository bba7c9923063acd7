import Foundation
import ZIPFoundation

/// The ZIP container of DOCX, XLSX, PPTX, OpenDocument and EPUB files, read from memory with the
/// bomb guards of ``ExtractionLimits`` enforced while inflating: the bytes actually produced are
/// counted against the total and the per-entry ratio, so a header that lies about sizes buys nothing.
final class ZipContainer {
    private let archive: Archive
    private let limits: ExtractionLimits
    private let fileName: String
    private var inflatedTotal = 0
    /// Entries by path (the first of duplicates, as most readers do).
    private var entries: [String: Entry] = [:]
    private(set) var paths: [String] = []

    /// Below this an entry's ratio is not judged: small XML parts compress very well and harmlessly.
    private static let ratioFloor = 1 << 20

    init(_ bytes: [UInt8], fileName: String, limits: ExtractionLimits) throws(ExtractionFailure) {
        self.limits = limits
        self.fileName = fileName
        do {
            archive = try Archive(data: Data(bytes), accessMode: .read)
        } catch {
            throw ExtractionFailure(.corrupt, "\(fileName) is not a readable ZIP container (\(error))")
        }
        var count = 0
        for entry in archive {
            count += 1
            if count > limits.maxArchiveEntries {
                throw ExtractionFailure(
                    .limitExceeded, "\(fileName) holds more than \(limits.maxArchiveEntries) entries (maxArchiveEntries)")
            }
            if entries[entry.path] == nil {
                entries[entry.path] = entry
                paths.append(entry.path)
            }
        }
        if count == 0 { throw ExtractionFailure(.corrupt, "\(fileName) is an empty ZIP container") }
    }

    func contains(_ path: String) -> Bool { entries[path] != nil }

    /// The inflated bytes of `path`, or nil if there is no such entry.
    func data(_ path: String) throws(ExtractionFailure) -> [UInt8]? {
        guard let entry = entries[path.hasPrefix("/") ? String(path.dropFirst()) : path] else { return nil }
        var out: [UInt8] = []
        let compressed = max(Int(clamping: entry.compressedSize), 1)
        let remaining = limits.maxUncompressedBytes - inflatedTotal
        let maxRatio = limits.maxCompressionRatio
        var limitFailure: ExtractionFailure?
        do {
            _ = try archive.extract(entry, bufferSize: 64 * 1024, skipCRC32: false) { chunk in
                out.append(contentsOf: chunk)
                if out.count > remaining {
                    limitFailure = ExtractionFailure(
                        .limitExceeded,
                        "\(self.fileName) inflates to more than \(self.limits.maxUncompressedBytes) bytes (maxUncompressedBytes): a ZIP bomb or far too large")
                    throw CocoaError(.fileReadTooLarge)
                }
                if out.count > Self.ratioFloor, out.count / compressed > maxRatio {
                    limitFailure = ExtractionFailure(
                        .limitExceeded,
                        "\(self.fileName): entry \(entry.path) inflates more than \(maxRatio) times its compressed size (maxCompressionRatio): a ZIP bomb")
                    throw CocoaError(.fileReadTooLarge)
                }
            }
        } catch {
            if let limitFailure { throw limitFailure }
            throw ExtractionFailure(.corrupt, "\(fileName): entry \(entry.path) cannot be inflated (\(error))")
        }
        inflatedTotal += out.count
        return out
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
