/// A tolerant HTML tokenizer after the WHATWG algorithm's broad strokes: whatever the markup, it ends,
/// every byte is consumed once, and text is never lost to a stray `<`. It works on UTF-8 bytes
/// (the extractor decodes the page's charset first), so every delimiter it looks for is ASCII.
struct HTMLTokenizer {
    private let bytes: [UInt8]
    private var position = 0
    /// After a start tag of an element whose content is raw text (`script`, `style`, `title`, …): its
    /// name, so everything up to `</name` is one text token.
    private var rawTextElement: String?

    /// Elements whose content is not markup: the tokenizer reads up to their end tag.
    static let rawTextElements: Set<String> = [
        "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext",
    ]
    /// Of those, the ones whose text has character references (RCDATA).
    private static let escapableRawText: Set<String> = ["textarea", "title"]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func next() -> HTMLToken? {
        if let element = rawTextElement {
            rawTextElement = nil
            let start = position
            let end = findEndTag(element, from: position)
            position = end
            guard end > start else { return next() }
            let raw = String(decoding: bytes[start..<end], as: UTF8.self)
            return .text(Self.escapableRawText.contains(element) ? HTMLEntities.decode(raw[...]) : raw)
        }
        while position < bytes.count {
            if bytes[position] == UInt8(ascii: "<") {
                if let token = markup() { return token }
                continue
            }
            let start = position
            while position < bytes.count, bytes[position] != UInt8(ascii: "<") { position += 1 }
            return .text(HTMLEntities.decode(String(decoding: bytes[start..<position], as: UTF8.self)[...]))
        }
        return nil
    }

    /// At a `<`: a tag (returned), a comment/doctype/PI (skipped, nil), or a literal `<` (a text token).
    private mutating func markup() -> HTMLToken? {
        let next = byte(at: position + 1)
        if next == UInt8(ascii: "!") {
            if matches("<!--", at: position) {
                position = find("-->", from: position + 4).map { $0 + 3 } ?? bytes.count
                return nil
            }
            if matches("<![CDATA[", at: position) {
                let contentStart = position + 9
                let end = find("]]>", from: contentStart) ?? bytes.count
                position = min(end + 3, bytes.count)
                return .text(String(decoding: bytes[contentStart..<end], as: UTF8.self))
            }
            position = find(">", from: position).map { $0 + 1 } ?? bytes.count
            return nil
        }
        if next == UInt8(ascii: "?") {
            position = find(">", from: position).map { $0 + 1 } ?? bytes.count
            return nil
        }
        let isEnd = next == UInt8(ascii: "/")
        let nameStart = position + (isEnd ? 2 : 1)
        guard let first = byte(at: nameStart), Self.isLetter(first) else {
            if isEnd, byte(at: nameStart) == UInt8(ascii: ">") {
                position = nameStart + 1  // `</>` is ignored
                return nil
            }
            position += 1
            return .text("<")
        }
        position = nameStart
        while let byte = byte(at: position), !Self.isSpace(byte), byte != UInt8(ascii: ">"), byte != UInt8(ascii: "/") {
            position += 1
        }
        let name = Self.lowercased(bytes[nameStart..<position])
        var attributes: [String: String] = [:]
        var isSelfClosing = false
        // Attributes: name, optional `= value` (quoted or not), until `>` or the end of the input.
        while position < bytes.count {
            while let byte = byte(at: position), Self.isSpace(byte) { position += 1 }
            guard let byte = byte(at: position) else { break }
            if byte == UInt8(ascii: ">") {
                position += 1
                break
            }
            if byte == UInt8(ascii: "/") {
                isSelfClosing = self.byte(at: position + 1) == UInt8(ascii: ">")
                position += 1
                continue
            }
            let attributeStart = position
            position += 1
            while let byte = self.byte(at: position), !Self.isSpace(byte), byte != UInt8(ascii: ">"),
                byte != UInt8(ascii: "="), byte != UInt8(ascii: "/") {
                position += 1
            }
            let attributeName = Self.lowercased(bytes[attributeStart..<position])
            while let byte = self.byte(at: position), Self.isSpace(byte) { position += 1 }
            var value = ""
            if self.byte(at: position) == UInt8(ascii: "=") {
                position += 1
                while let byte = self.byte(at: position), Self.isSpace(byte) { position += 1 }
                if let quote = self.byte(at: position), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
                    let valueStart = position + 1
                    var end = valueStart
                    while end < bytes.count, bytes[end] != quote { end += 1 }
                    value = HTMLEntities.decode(String(decoding: bytes[valueStart..<end], as: UTF8.self)[...])
                    position = min(end + 1, bytes.count)
                } else {
                    let valueStart = position
                    while let byte = self.byte(at: position), !Self.isSpace(byte), byte != UInt8(ascii: ">") { position += 1 }
                    value = HTMLEntities.decode(String(decoding: bytes[valueStart..<position], as: UTF8.self)[...])
                }
            }
            if attributes[attributeName] == nil { attributes[attributeName] = value }
        }
        if isEnd { return .end(name: name) }
        if Self.rawTextElements.contains(name), !isSelfClosing { rawTextElement = name }
        return .start(name: name, attributes: attributes, isSelfClosing: isSelfClosing)
    }

    /// The offset of `</name` (case-insensitive) at or after `from`, or the end of the input.
    private func findEndTag(_ name: String, from: Int) -> Int {
        let pattern = Array("</\(name)".utf8)
        var index = from
        while index + pattern.count <= bytes.count {
            if bytes[index] == UInt8(ascii: "<") {
                var isMatch = true
                for offset in 1..<pattern.count where Self.lower(bytes[index + offset]) != pattern[offset] {
                    isMatch = false
                    break
                }
                if isMatch { return index }
            }
            index += 1
        }
        return bytes.count
    }

    private func find(_ needle: String, from: Int) -> Int? {
        let pattern = Array(needle.utf8)
        var index = from
        while index + pattern.count <= bytes.count {
            if bytes[index] == pattern[0], matches(pattern, at: index) { return index }
            index += 1
        }
        return nil
    }

    private func matches(_ literal: String, at offset: Int) -> Bool { matches(Array(literal.utf8), at: offset) }

    private func matches(_ pattern: [UInt8], at offset: Int) -> Bool {
        guard offset + pattern.count <= bytes.count else { return false }
        for index in 0..<pattern.count where Self.lower(bytes[offset + index]) != Self.lower(pattern[index]) { return false }
        return true
    }

    private func byte(at offset: Int) -> UInt8? { offset < bytes.count ? bytes[offset] : nil }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0C || byte == 0x0D
    }

    static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }

    static func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

    static func lowercased(_ slice: ArraySlice<UInt8>) -> String { String(decoding: slice.map(lower), as: UTF8.self) }
}
