/// Looks at the start of a file to tell text from binary and to guess the kind of text when the name
/// says nothing. Only the first 8 KB are examined: binary formats give themselves away early.
enum ContentSniffing {
    static let sampleSize = 8192

    enum Verdict: Equatable {
        case text
        case binary(String)
        case unsupported(String)
    }

    /// `trustName` is set when the extension says the file is text: then only NUL bytes (which no
    /// text encoding we read produces outside UTF-16) make it binary.
    static func verdict(_ bytes: UnsafeRawBufferPointer, trustName: Bool) -> Verdict {
        if bytes.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return .unsupported("UTF-32 text") }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) { return .text }
        let sample = UnsafeRawBufferPointer(rebasing: bytes[0..<min(bytes.count, sampleSize)])
        if sample.contains(0) { return .binary("contains NUL bytes") }
        if trustName { return .text }
        if sample.starts(with: Array("%PDF-".utf8)) { return .unsupported("PDF") }

        var controls = 0
        var high = 0
        for byte in sample {
            switch byte {
            case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1B: break  // whitespace and ESC (coloured logs)
            case 0..<0x20, 0x7F: controls += 1
            case 0x80...: high += 1
            default: break
            }
        }
        // Real text has almost no control characters; binary data has them everywhere.
        if controls * 50 > sample.count { return .binary("contains control characters") }
        // Non-UTF-8 text (Latin-1) is mostly ASCII with a few accented letters.
        if high * 10 > sample.count * 3 && !isUTF8Prefix(sample) {
            return .binary("mostly bytes that are neither ASCII nor UTF-8")
        }
        return .text
    }

    /// Guesses the kind of a text file from its content when its name gives no answer.
    static func kind(_ text: String) -> FileKind {
        let head = text.utf8.prefix(sampleSize)
        if head.starts(with: Array("#!".utf8)) { return .code }
        if head.starts(with: Array("<?xml".utf8)) || head.starts(with: Array("<!DOCTYPE".utf8)) { return .code }
        var atLineStart = true
        var index = head.startIndex
        while index != head.endIndex {
            let byte = head[index]
            if atLineStart && byte == UInt8(ascii: "#") {
                // An ATX heading: 1–6 '#' then a space.
                var level = 0
                var cursor = index
                while cursor != head.endIndex && head[cursor] == UInt8(ascii: "#") && level <= 6 {
                    level += 1
                    cursor = head.index(after: cursor)
                }
                if level <= 6 && cursor != head.endIndex && head[cursor] == UInt8(ascii: " ") { return .markdown }
            }
            atLineStart = byte == UInt8(ascii: "\n")
            index = head.index(after: index)
        }
        return .plainText
    }

    /// Valid UTF-8, allowing a sequence cut off by the end of the sample.
    private static func isUTF8Prefix(_ sample: UnsafeRawBufferPointer) -> Bool {
        var end = sample.count
        var back = 0
        while back < 3 && end > 0 && sample[end - 1] & 0xC0 == 0x80 {
            end -= 1
            back += 1
        }
        if end > 0 && sample[end - 1] >= 0xC0 { end -= 1 }
        return String(validating: sample[0..<end], as: UTF8.self) != nil
    }
}
