/// A small non-validating XML parser for the documents inside Office, OpenDocument and EPUB files.
///
/// Hostile input is the design point: no DTD processing at all — a DOCTYPE that declares entities is
/// refused (billion laughs, external entities), only the five predefined and numeric character
/// references are expanded — nesting is bounded, and malformed markup (a stray `<`, an unmatched end
/// tag) is read the tolerant way rather than failing the whole document.
enum XMLReader {
    static func parse(_ bytes: [UInt8], limits: ExtractionLimits, name: String) throws(ExtractionFailure) -> XMLNode {
        var stack: [XMLNode] = [XMLNode(name: "#document", attributes: [:], children: [])]
        var position = 0
        var text: [UInt8] = []
        let count = bytes.count
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }

        func flushText() {
            guard !text.isEmpty else { return }
            let decoded = decodeReferences(String(decoding: text, as: UTF8.self))
            stack[stack.count - 1].children.append(.text(decoded))
            text.removeAll(keepingCapacity: true)
        }
        func find(_ pattern: [UInt8], from: Int) -> Int? {
            var index = from
            while index + pattern.count <= count {
                if bytes[index] == pattern[0] {
                    var isMatch = true
                    for offset in 1..<pattern.count where bytes[index + offset] != pattern[offset] {
                        isMatch = false
                        break
                    }
                    if isMatch { return index }
                }
                index += 1
            }
            return nil
        }
        func starts(_ literal: StaticString, at offset: Int) -> Bool {
            let length = literal.utf8CodeUnitCount
            guard offset + length <= count else { return false }
            return literal.withUTF8Buffer { buffer in
                for index in 0..<length where bytes[offset + index] != buffer[index] { return false }
                return true
            }
        }
        func close(to index: Int) {
            while stack.count > index {
                let node = stack.removeLast()
                stack[stack.count - 1].children.append(.element(node))
            }
        }

        while position < count {
            let byte = bytes[position]
            guard byte == UInt8(ascii: "<") else {
                text.append(byte)
                position += 1
                continue
            }
            if starts("<!--", at: position) {
                flushText()
                position = (find(Array("-->".utf8), from: position + 4) ?? count - 3) + 3
                continue
            }
            if starts("<![CDATA[", at: position) {
                flushText()
                let end = find(Array("]]>".utf8), from: position + 9) ?? count
                stack[stack.count - 1].children.append(.text(String(decoding: bytes[(position + 9)..<end], as: UTF8.self)))
                position = min(end + 3, count)
                continue
            }
            if starts("<!", at: position) {
                flushText()
                // A DOCTYPE; its internal subset runs to `]>`. Entity declarations are refused.
                var end = position + 2
                var bracketDepth = 0
                while end < count {
                    let current = bytes[end]
                    if current == UInt8(ascii: "[") { bracketDepth += 1 }
                    if current == UInt8(ascii: "]") { bracketDepth -= 1 }
                    if current == UInt8(ascii: ">"), bracketDepth <= 0 { break }
                    end += 1
                }
                let declaration = bytes[position..<min(end, count)]
                if declaration.count > 9, String(decoding: declaration, as: UTF8.self).contains("<!ENTITY") {
                    throw ExtractionFailure(
                        .limitExceeded,
                        "\(name) declares XML entities; entity expansion is refused (billion-laughs and external-entity attacks)")
                }
                position = min(end + 1, count)
                continue
            }
            if starts("<?", at: position) {
                flushText()
                position = (find(Array("?>".utf8), from: position + 2) ?? count - 2) + 2
                continue
            }
            let isEnd = position + 1 < count && bytes[position + 1] == UInt8(ascii: "/")
            var index = position + (isEnd ? 2 : 1)
            let nameStart = index
            while index < count, !isSpace(bytes[index]), bytes[index] != UInt8(ascii: ">"), bytes[index] != UInt8(ascii: "/") {
                index += 1
            }
            guard index > nameStart else {
                text.append(byte)  // a stray `<`
                position += 1
                continue
            }
            flushText()
            let elementName = String(decoding: bytes[nameStart..<index], as: UTF8.self)
            var attributes: [String: String] = [:]
            var isEmpty = false
            while index < count {
                while index < count, isSpace(bytes[index]) { index += 1 }
                guard index < count else { break }
                if bytes[index] == UInt8(ascii: ">") {
                    index += 1
                    break
                }
                if bytes[index] == UInt8(ascii: "/") {
                    isEmpty = true
                    index += 1
                    continue
                }
                let attributeStart = index
                while index < count, !isSpace(bytes[index]), bytes[index] != UInt8(ascii: "="), bytes[index] != UInt8(ascii: ">") {
                    index += 1
                }
                let attributeName = String(decoding: bytes[attributeStart..<index], as: UTF8.self)
                while index < count, isSpace(bytes[index]) { index += 1 }
                guard index < count, bytes[index] == UInt8(ascii: "=") else {
                    if index == attributeStart { index += 1 }
                    continue
                }
                index += 1
                while index < count, isSpace(bytes[index]) { index += 1 }
                guard index < count else { break }
                let quote = bytes[index]
                var value = ""
                if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
                    let valueStart = index + 1
                    var end = valueStart
                    while end < count, bytes[end] != quote { end += 1 }
                    value = decodeReferences(String(decoding: bytes[valueStart..<end], as: UTF8.self))
                    index = min(end + 1, count)
                } else {
                    let valueStart = index
                    while index < count, !isSpace(bytes[index]), bytes[index] != UInt8(ascii: ">") { index += 1 }
                    value = String(decoding: bytes[valueStart..<index], as: UTF8.self)
                }
                attributes[attributeName] = value
            }
            position = index
            if isEnd {
                if let open = stack.lastIndex(where: { $0.name == elementName }), open > 0 { close(to: open) }
                continue
            }
            stack.append(XMLNode(name: elementName, attributes: attributes, children: []))
            if stack.count > limits.maxNestingDepth + 1 {
                throw ExtractionFailure(
                    .limitExceeded, "\(name) nests XML elements more than \(limits.maxNestingDepth) deep (maxNestingDepth)")
            }
            if isEmpty { close(to: stack.count - 1) }
        }
        flushText()
        close(to: 1)
        return stack[0]
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    /// `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` and numeric references; anything else stays as written.
    static func decodeReferences(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = text[...]
        while let ampersand = rest.firstIndex(of: "&") {
            out += rest[..<ampersand]
            let after = rest[rest.index(after: ampersand)...]
            guard let semicolon = after.prefix(12).firstIndex(of: ";") else {
                out += "&"
                rest = after
                continue
            }
            let name = after[..<semicolon]
            var replacement: String?
            switch name {
            case "lt": replacement = "<"
            case "gt": replacement = ">"
            case "amp": replacement = "&"
            case "quot": replacement = "\""
            case "apos": replacement = "'"
            default:
                if name.hasPrefix("#x") || name.hasPrefix("#X"), let value = UInt32(name.dropFirst(2), radix: 16) {
                    replacement = String(Unicode.Scalar(value).map(Character.init) ?? "\u{FFFD}")
                } else if name.hasPrefix("#"), let value = UInt32(name.dropFirst(), radix: 10) {
                    replacement = String(Unicode.Scalar(value).map(Character.init) ?? "\u{FFFD}")
                }
            }
            if let replacement {
                out += replacement
                rest = after[after.index(after: semicolon)...]
            } else {
                out += "&"
                rest = after
            }
        }
        out += rest
        return out
    }
}
