import Foundation
@testable import Extract

extension ExtractedDocument {
    /// The text of a part, as a citation would show it.
    func text(of part: DocumentPart) -> String {
        let bytes = Array(text.utf8)
        return String(decoding: bytes[part.start..<part.end], as: UTF8.self)
    }

    /// The first part whose text contains `needle`.
    func part(containing needle: String) -> DocumentPart? {
        parts.first { text(of: $0).contains(needle) }
    }

    /// The `#` heading lines of the text.
    var headings: [String] {
        text.split(separator: "\n").filter { $0.hasPrefix("#") }.map(String.init)
    }

    /// Parts are ascending, non-overlapping, inside the text, and start and end on character boundaries.
    var partsAreWellFormed: Bool {
        let count = text.utf8.count
        var previousEnd = 0
        for part in parts {
            guard part.start >= previousEnd, part.start < part.end, part.end <= count else { return false }
            let bytes = Array(text.utf8)
            if part.start < count, bytes[part.start] & 0xC0 == 0x80 { return false }
            if part.end < count, bytes[part.end] & 0xC0 == 0x80 { return false }
            previousEnd = part.end
        }
        return true
    }
}

enum Fixtures {
    static let directory = Bundle.module.resourceURL?.appendingPathComponent("Fixtures")

    static func bytes(_ name: String) throws -> [UInt8] {
        guard let directory else { throw CocoaError(.fileNoSuchFile) }
        return try Array(Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func exists(_ name: String) -> Bool {
        guard let directory else { return false }
        return FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path)
    }
}

func extract(_ html: String, _ format: DocumentFormat, limits: ExtractionLimits = ExtractionLimits()) throws -> ExtractedDocument {
    try Extraction.extract(Array(html.utf8), format: format, fileName: "test.\(format.rawValue)", limits: limits)
}

/// The failure `body` throws, or nil if it returns (or throws something else).
func failure(_ body: () throws -> Void) -> ExtractionFailure? {
    do {
        try body()
        return nil
    } catch let failure as ExtractionFailure {
        return failure
    } catch {
        return nil
    }
}
