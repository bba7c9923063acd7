/// Bytes to text. The rule is fixed so the same file always decodes the same way: a byte order mark
/// decides (UTF-8, UTF-16 LE/BE); otherwise valid UTF-8 is UTF-8; text that is overwhelmingly UTF-8
/// (at least twice as many valid multi-byte characters as invalid sequences — in Latin-1 text valid
/// UTF-8 pairs are rare coincidences, so this tells the two apart) is UTF-8 with each invalid
/// sequence replaced by U+FFFD — one damaged byte should not turn "Kraków" into "KrakÃ³w" for the
/// whole file; anything else is Latin-1, where every byte is a character and decoding never fails.
/// Nothing is normalised (not even "\r\n"), so offsets in the text map exactly back to the file.
enum TextDecoding {
    struct Decoded {
        var text: String
        var encoding: TextEncoding
        /// Where U+FFFD stands for invalid bytes of a UTF-8 file, ascending.
        var replacements: [ExtractedText.Replacement] = []
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) -> Decoded {
        let hasUTF8BOM = bytes.starts(with: [0xEF, 0xBB, 0xBF])
        if hasUTF8BOM, let text = String(validating: bytes[3...], as: UTF8.self) {
            return Decoded(text: text, encoding: .utf8BOM)
        }
        if bytes.starts(with: [0xFF, 0xFE]) {
            return Decoded(text: decodeUTF16(bytes, littleEndian: true), encoding: .utf16LE)
        }
        if bytes.starts(with: [0xFE, 0xFF]) {
            return Decoded(text: decodeUTF16(bytes, littleEndian: false), encoding: .utf16BE)
        }
        if let text = String(validating: bytes, as: UTF8.self) {
            return Decoded(text: text, encoding: .utf8)
        }
        let start = hasUTF8BOM ? 3 : 0
        if let (text, replacements) = decodeMostlyUTF8(bytes, from: start) {
            return Decoded(text: text, encoding: hasUTF8BOM ? .utf8BOM : .utf8, replacements: replacements)
        }
        return Decoded(text: decodeLatin1(bytes), encoding: .latin1)
    }

    /// UTF-8 with each maximal invalid sequence (as Unicode recommends) replaced by U+FFFD, if the
    /// valid multi-byte characters outnumber the invalid sequences at least two to one; nil otherwise.
    static func decodeMostlyUTF8(
        _ bytes: UnsafeRawBufferPointer, from start: Int
    ) -> (String, [ExtractedText.Replacement])? {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes.count + 16)
        var replacements: [ExtractedText.Replacement] = []
        var multiByte = 0
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes[start...].makeIterator()
        parsing: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                utf8.append(contentsOf: encoded)
                if encoded.count > 1 { multiByte += 1 }
            case .error(let length):
                replacements.append(ExtractedText.Replacement(textOffset: utf8.count, fileLength: length))
                utf8.append(contentsOf: [0xEF, 0xBF, 0xBD])
                guard replacements.count * 10 <= bytes.count else { return nil }
            case .emptyInput:
                break parsing
            }
        }
        guard multiByte > 0, replacements.count * 2 <= multiByte else { return nil }
        return (String(decoding: utf8, as: UTF8.self), replacements)
    }

    /// Decodes the code units after the byte order mark. A lone surrogate or an odd last byte becomes
    /// U+FFFD: one damaged character should not cost the whole document. Each U+FFFD still stands for
    /// exactly one code unit (or the odd byte), which keeps ``ExtractedText/fileOffsets(forUTF8Offsets:)``
    /// exact.
    static func decodeUTF16(_ bytes: UnsafeRawBufferPointer, littleEndian: Bool) -> String {
        let unitCount = (bytes.count - 2) / 2
        var utf8: [UInt8] = []
        utf8.reserveCapacity(unitCount * 3 / 2 + 4)

        func unit(_ index: Int) -> UInt16 {
            let first = UInt16(bytes[2 + 2 * index])
            let second = UInt16(bytes[3 + 2 * index])
            return littleEndian ? first | second << 8 : first << 8 | second
        }

        var index = 0
        while index < unitCount {
            let current = unit(index)
            index += 1
            var scalar: Unicode.Scalar
            switch current {
            case 0xD800...0xDBFF:
                if index < unitCount, case let low = unit(index), (0xDC00...0xDFFF).contains(low) {
                    index += 1
                    let value = 0x10000 + ((UInt32(current) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                    scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
                } else {
                    scalar = "\u{FFFD}"
                }
            case 0xDC00...0xDFFF:
                scalar = "\u{FFFD}"
            default:
                scalar = Unicode.Scalar(current) ?? "\u{FFFD}"
            }
            if let encoded = UTF8.encode(scalar) { utf8.append(contentsOf: encoded) }
        }
        if (bytes.count - 2) % 2 == 1 {
            utf8.append(contentsOf: [0xEF, 0xBF, 0xBD])
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    static func decodeLatin1(_ bytes: UnsafeRawBufferPointer) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes.count + bytes.count / 8)
        for byte in bytes {
            if byte < 0x80 {
                utf8.append(byte)
            } else {
                utf8.append(0xC0 | byte >> 6)
                utf8.append(0x80 | byte & 0x3F)
            }
        }
        return String(decoding: utf8, as: UTF8.self)
    }
}
