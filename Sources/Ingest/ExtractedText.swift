/// The text of one file, with what is needed to point back into the file's bytes.
public struct ExtractedText: Sendable {
    public var text: String
    public var encoding: TextEncoding
    public var kind: FileKind
    /// SHA-256 hex of the raw file bytes.
    public var contentHash: String
    /// Bytes read from the file.
    public var byteCount: Int

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
            return offsets.map { min(max($0, 0) + bom, byteCount) }
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
