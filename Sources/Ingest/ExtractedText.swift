public import Extract

/// The text of one file, with what is needed to point back into the file's bytes — or, for a document
/// read by an extractor (`parts` non-empty or `isExtracted`), into the extracted text.
public struct ExtractedText: Sendable {
    /// U+FFFD in place of an invalid UTF-8 sequence of the file.
    public struct Replacement: Sendable, Equatable {
        /// Offset of the U+FFFD (3 bytes) in `text.utf8`.
        public var textOffset: Int
        /// Bytes of the file it stands for.
        public var fileLength: Int

        public init(textOffset: Int, fileLength: Int) {
            self.textOffset = textOffset
            self.fileLength = fileLength
        }
    }

    public var text: String
    public var encoding: TextEncoding
    public var kind: FileKind
    /// SHA-256 hex of the raw file bytes.
    public var contentHash: String
    /// Bytes read from the file; for an extracted document, bytes of `text`.
    public var byteCount: Int
    /// Invalid UTF-8 sequences replaced while decoding, ascending (UTF-8 encodings only).
    public var replacements: [Replacement] = []
    /// Pages, slides, sheets and messages of an extracted document, ascending ranges of `text.utf8`.
    public var parts: [DocumentPart] = []
    /// The text came from an extractor: offsets and lines are those of `text`, not of the file.
    public var isExtracted = false

    public init(text: String, encoding: TextEncoding, kind: FileKind, contentHash: String, byteCount: Int) {
        self.text = text
        self.encoding = encoding
        self.kind = kind
        self.contentHash = contentHash
        self.byteCount = byteCount
    }

    /// Maps ascending offsets into `text.utf8` to byte offsets in the file: past a byte order mark,
    /// through UTF-16 code units and Latin-1 bytes. One pass over the text for all offsets. An offset
    /// inside a character maps to the character's first byte; offsets past the end map to `byteCount`.
    public func fileOffsets(forUTF8Offsets offsets: [Int]) -> [Int] {
        let bom = encoding.byteOrderMarkLength
        switch encoding {
        case .utf8, .utf8BOM:
            guard !replacements.isEmpty else { return offsets.map { min(max($0, 0) + bom, byteCount) } }
            // Each U+FFFD is 3 bytes of text for `fileLength` bytes of the file; an offset inside one
            // maps to the start of the bytes it replaced.
            var result: [Int] = []
            result.reserveCapacity(offsets.count)
            var shift = 0
            var next = 0
            for target in offsets.map({ max($0, 0) }) {
                while next < replacements.count, replacements[next].textOffset + 3 <= target {
                    shift += replacements[next].fileLength - 3
                    next += 1
                }
                var mapped = target + shift
                if next < replacements.count, replacements[next].textOffset < target {
                    mapped = replacements[next].textOffset + shift
                }
                result.append(min(mapped + bom, byteCount))
            }
            return result
        case .latin1, .utf16LE, .utf16BE:
            let isUTF16 = encoding != .latin1
            let utf8Bytes = Array(text.utf8)
            return utf8Bytes.withUnsafeBufferPointer { utf8 in
                var result: [Int] = []
                result.reserveCapacity(offsets.count)
                var textOffset = 0
                var fileOffset = bom
                for target in offsets {
                    while textOffset < utf8.count {
                        let length = ExtractedText.scalarLength(leadByte: utf8[textOffset])
                        guard textOffset + length <= target else { break }
                        textOffset += length
                        // UTF-16: one code unit for the BMP, two (a surrogate pair) above it.
                        fileOffset += isUTF16 ? (length == 4 ? 4 : 2) : 1
                    }
                    result.append(min(fileOffset, byteCount))
                }
                return result
            }
        }
    }

    /// Length of a UTF-8 sequence from its first byte (the text is valid UTF-8).
    @inline(__always)
    static func scalarLength(leadByte: UInt8) -> Int {
        if leadByte < 0x80 { return 1 }
        if leadByte < 0xE0 { return 2 }
        if leadByte < 0xF0 { return 3 }
        return 4
    }
}
