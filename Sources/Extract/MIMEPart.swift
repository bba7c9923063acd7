import Foundation

/// One RFC 822 / MIME entity: its unfolded headers and its raw body. A message is one, and so is
/// each part of a multipart body.
struct MIMEPart {
    var headers: [(name: String, value: String)]
    var body: ArraySlice<UInt8>

    /// Splits `bytes` at the first empty line; header lines are unfolded. Lines before it that are
    /// not headers end the header block (a message without headers is all body).
    init(_ bytes: ArraySlice<UInt8>) {
        var headers: [(String, String)] = []
        var index = bytes.startIndex
        var bodyStart = bytes.endIndex
        var current: (name: String, value: [UInt8])?
        while index < bytes.endIndex {
            var lineEnd = index
            while lineEnd < bytes.endIndex, bytes[lineEnd] != 0x0A { lineEnd += 1 }
            var line = bytes[index..<lineEnd]
            if line.last == 0x0D { line = line.dropLast() }
            let next = min(lineEnd + 1, bytes.endIndex)
            if line.isEmpty {
                bodyStart = next
                break
            }
            if line.first == 0x20 || line.first == 0x09, current != nil {
                current?.value += [0x20] + line.drop(while: { $0 == 0x20 || $0 == 0x09 })
            } else if let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                !line[line.startIndex..<colon].contains(where: { $0 == 0x20 || $0 == 0x09 }) {
                if let header = current { headers.append((header.name, Self.headerString(header.value))) }
                let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self)
                current = (name, Array(line[(colon + 1)...].drop(while: { $0 == 0x20 || $0 == 0x09 })))
            } else if headers.isEmpty && current == nil && line.starts(with: Array("From ".utf8)) {
                // An mbox "From " separator line left on the message.
            } else {
                bodyStart = index
                break
            }
            index = next
        }
        if let header = current { headers.append((header.name, Self.headerString(header.value))) }
        self.headers = headers
        body = bodyStart < bytes.endIndex ? bytes[bodyStart...] : []
    }

    /// Header bytes as text: UTF-8 if valid (RFC 6532), else windows-1252; then RFC 2047 words decoded.
    private static func headerString(_ bytes: [UInt8]) -> String {
        let raw = String(validating: bytes, as: UTF8.self) ?? Charset.windows1252(bytes)
        return EncodedWords.decode(raw)
    }

    func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// `text/plain` from `Content-Type`, lowercased; `text/plain` when absent (RFC 2045).
    var contentType: String {
        let value = header("Content-Type") ?? "text/plain"
        return value.prefix(while: { $0 != ";" }).trimmingCharacters(in: .whitespaces).lowercased()
    }

    func parameter(_ name: String, of header: String) -> String? {
        guard let value = self.header(header) else { return nil }
        return Self.parameter(name, in: value)
    }

    /// A `; name=value` parameter, quoted or not, or its RFC 2231 form `name*=utf-8''percent%20encoded`.
    static func parameter(_ name: String, in value: String) -> String? {
        for piece in splitParameters(value).dropFirst() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let key = piece[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var raw = piece[piece.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if raw.hasPrefix("\""), raw.hasSuffix("\""), raw.count >= 2 { raw = String(raw.dropFirst().dropLast()) }
            if key == name { return EncodedWords.decode(raw) }
            if key == name + "*" || key == name + "*0*" || key == name + "*0" {
                // charset'language'percent-encoded
                let parts = raw.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                if parts.count == 3 {
                    let bytes = percentDecoded(String(parts[2]))
                    return Charset.decode(bytes, charset: String(parts[0]))
                }
                return raw
            }
        }
        return nil
    }

    private static func splitParameters(_ value: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        var inQuotes = false
        for character in value {
            if character == "\"" { inQuotes.toggle() }
            if character == ";", !inQuotes {
                pieces.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        pieces.append(current)
        return pieces
    }

    private static func percentDecoded(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        while let byte = bytes.popFirst() {
            if byte == UInt8(ascii: "%"), bytes.count >= 2,
                let value = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) {
                out.append(value)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(byte)
            }
        }
        return out
    }

    /// The body with its Content-Transfer-Encoding undone.
    var decodedBody: [UInt8] {
        switch (header("Content-Transfer-Encoding") ?? "").trimmingCharacters(in: .whitespaces).lowercased() {
        case "base64": Self.base64(body)
        case "quoted-printable": Self.quotedPrintable(body)
        default: Array(body)
        }
    }

    /// The parts of a multipart body, split at `--boundary` lines up to `--boundary--`.
    func multipartParts() -> [MIMEPart] {
        guard let boundary = parameter("boundary", of: "Content-Type"), !boundary.isEmpty else { return [] }
        let delimiter = Array(("--" + boundary).utf8)
        var parts: [MIMEPart] = []
        var partStart: Int?
        var index = body.startIndex
        while index < body.endIndex {
            var lineEnd = index
            while lineEnd < body.endIndex, body[lineEnd] != 0x0A { lineEnd += 1 }
            let line = body[index..<lineEnd]
            if line.starts(with: delimiter) {
                let rest = line.dropFirst(delimiter.count)
                if let start = partStart {
                    var end = index
                    // The line break before the delimiter belongs to it.
                    if end > start, body[end - 1] == 0x0A { end -= 1 }
                    if end > start, body[end - 1] == 0x0D { end -= 1 }
                    parts.append(MIMEPart(body[start..<max(start, end)]))
                }
                if rest.starts(with: Array("--".utf8)) { return parts }
                partStart = min(lineEnd + 1, body.endIndex)
            }
            index = min(lineEnd + 1, body.endIndex)
            if lineEnd == body.endIndex { break }
        }
        if let start = partStart, start < body.endIndex { parts.append(MIMEPart(body[start...])) }
        return parts
    }

    static func base64(_ body: ArraySlice<UInt8>) -> [UInt8] {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(character)] = UInt8(index)
        }
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        var out: [UInt8] = []
        out.reserveCapacity(body.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in body {
            if byte == UInt8(ascii: "=") { break }
            let value = table[Int(byte)]
            guard value != 0xFF else { continue }
            accumulator = (accumulator << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return out
    }

    static func quotedPrintable(_ body: ArraySlice<UInt8>, underscoreIsSpace: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var index = body.startIndex
        while index < body.endIndex {
            let byte = body[index]
            if byte == UInt8(ascii: "=") {
                let next = body.index(after: index)
                // A soft line break: "=" at the end of a line (spaces before the break allowed).
                var probe = next
                while probe < body.endIndex, body[probe] == 0x20 || body[probe] == 0x09 { probe += 1 }
                if probe < body.endIndex, body[probe] == 0x0A {
                    index = probe + 1
                    continue
                }
                if probe + 1 < body.endIndex, body[probe] == 0x0D, body[probe + 1] == 0x0A {
                    index = probe + 2
                    continue
                }
                if next + 1 < body.endIndex, let value = UInt8(String(decoding: body[next...next + 1], as: UTF8.self), radix: 16) {
                    out.append(value)
                    index = next + 2
                    continue
                }
                out.append(byte)
            } else if underscoreIsSpace, byte == UInt8(ascii: "_") {
                out.append(0x20)
            } else {
                out.append(byte)
            }
            index += 1
        }
        return out
    }
}
