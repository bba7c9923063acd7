/// A TOML value, as the configuration file needs it (dates and times are refused: no setting takes one).
public enum TOMLValue: Equatable, Sendable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case bool(Bool)
    case array([TOMLValue])
    case table([String: TOMLValue])

    var typeName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a number"
        case .bool: "a boolean"
        case .array: "an array"
        case .table: "a table"
        }
    }
}

public struct TOMLError: Error, Equatable, Sendable {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
}

/// A TOML 1.0 parser for configuration files: tables, arrays of tables, dotted and quoted keys,
/// basic/literal/multi-line strings, integers (decimal, hex, octal, binary), floats, booleans,
/// arrays and inline tables. Redefinitions are errors, as the specification requires.
public struct TOMLParser {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var root: [String: TOMLValue] = [:]
    /// Path of the table that `key = value` lines currently go into.
    private var current: [String] = []
    /// Tables defined by a header or by dotted keys, to refuse defining them twice.
    private var definedTables: Set<[String]> = []

    public static func parse(_ text: String) throws(TOMLError) -> [String: TOMLValue] {
        var parser = TOMLParser(bytes: Array(text.utf8))
        try parser.parseDocument()
        return parser.root
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    // MARK: - Document structure

    private mutating func parseDocument() throws(TOMLError) {
        while true {
            skipWhitespaceCommentsAndNewlines()
            guard let byte = peek() else { return }
            if byte == UInt8(ascii: "[") {
                try parseTableHeader()
            } else {
                let key = try parseKey()
                try expect(UInt8(ascii: "="))
                let value = try parseValue()
                try insert(value, at: current, key: key)
            }
            try endOfLine()
        }
    }

    private mutating func parseTableHeader() throws(TOMLError) {
        advance()
        let isArray = peek() == UInt8(ascii: "[")
        if isArray { advance() }
        skipSpaces()
        let path = try parseKey()
        try expect(UInt8(ascii: "]"))
        if isArray { try expect(UInt8(ascii: "]")) }
        if isArray {
            try appendTable(at: path)
        } else {
            guard !definedTables.contains(path) else { throw fail("table [\(path.joined(separator: "."))] is defined twice") }
            definedTables.insert(path)
            try ensureTable(at: path)
        }
        current = path
    }

    private mutating func endOfLine() throws(TOMLError) {
        skipSpaces()
        if peek() == UInt8(ascii: "#") { skipComment() }
        guard let byte = peek() else { return }
        if byte == UInt8(ascii: "\n") || (byte == UInt8(ascii: "\r") && peek(1) == UInt8(ascii: "\n")) { return }
        throw fail("expected the end of the line, found \(describe(byte))")
    }

    // MARK: - Keys

    private mutating func parseKey() throws(TOMLError) -> [String] {
        var parts: [String] = []
        while true {
            skipSpaces()
            guard let byte = peek() else { throw fail("expected a key") }
            if byte == UInt8(ascii: "\"") {
                parts.append(try parseBasicString())
            } else if byte == UInt8(ascii: "'") {
                parts.append(try parseLiteralString())
            } else {
                let start = index
                while let b = peek(), isBareKeyByte(b) { advance() }
                guard index > start else { throw fail("expected a key, found \(describe(byte))") }
                parts.append(String(decoding: bytes[start..<index], as: UTF8.self))
            }
            skipSpaces()
            if peek() == UInt8(ascii: ".") {
                advance()
            } else {
                return parts
            }
        }
    }

    private func isBareKeyByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
            || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
    }

    // MARK: - Values

    private mutating func parseValue() throws(TOMLError) -> TOMLValue {
        skipSpaces()
        guard let byte = peek() else { throw fail("expected a value") }
        switch byte {
        case UInt8(ascii: "\""):
            if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") { return .string(try parseMultilineBasicString()) }
            return .string(try parseBasicString())
        case UInt8(ascii: "'"):
            if peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") { return .string(try parseMultilineLiteralString()) }
            return .string(try parseLiteralString())
        case UInt8(ascii: "["):
            return try parseArray()
        case UInt8(ascii: "{"):
            return try parseInlineTable()
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            if matches("true") {
                index += 4
                return .bool(true)
            }
            if matches("false") {
                index += 5
                return .bool(false)
            }
            throw fail("unknown value; strings must be quoted")
        default:
            return try parseNumber()
        }
    }

    private mutating func parseNumber() throws(TOMLError) -> TOMLValue {
        let start = index
        while let b = peek(), !isValueTerminator(b) { advance() }
        let raw = String(decoding: bytes[start..<index], as: UTF8.self)
        guard !raw.isEmpty else { throw fail("expected a value") }
        if raw.contains(":") || (raw.count >= 10 && raw.dropFirst(4).first == "-" && raw.first?.isNumber == true) {
            throw fail("dates and times are not used by any setting")
        }
        for special in ["inf", "+inf", "-inf", "nan", "+nan", "-nan"] where raw == special {
            return .float(raw.hasSuffix("nan") ? .nan : (raw.hasPrefix("-") ? -.infinity : .infinity))
        }
        if raw.hasPrefix("_") || raw.hasSuffix("_") || raw.contains("__") { throw fail("bad number \(raw)") }
        let text = raw.replacingOccurrences(of: "_", with: "")
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where text.hasPrefix(prefix) {
            guard let value = Int64(text.dropFirst(2), radix: radix) else { throw fail("bad number \(raw)") }
            return .integer(value)
        }
        let digits = text.hasPrefix("+") || text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        if digits.count > 1, digits.hasPrefix("0"), digits.dropFirst().first?.isNumber == true {
            throw fail("leading zeros are not allowed in \(raw)")
        }
        if let value = Int64(text) { return .integer(value) }
        if text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let value = Double(text) { return .float(value) }
        throw fail("bad value \(raw); strings must be quoted")
    }

    private func isValueTerminator(_ b: UInt8) -> Bool {
        b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r")
            || b == UInt8(ascii: ",") || b == UInt8(ascii: "]") || b == UInt8(ascii: "}") || b == UInt8(ascii: "#")
    }

    private mutating func parseArray() throws(TOMLError) -> TOMLValue {
        advance()
        var values: [TOMLValue] = []
        while true {
            skipWhitespaceCommentsAndNewlines()
            if peek() == UInt8(ascii: "]") {
                advance()
                return .array(values)
            }
            values.append(try parseValue())
            skipWhitespaceCommentsAndNewlines()
            if peek() == UInt8(ascii: ",") {
                advance()
            } else if peek() == UInt8(ascii: "]") {
                advance()
                return .array(values)
            } else {
                throw fail("expected ',' or ']' in an array")
            }
        }
    }

    private mutating func parseInlineTable() throws(TOMLError) -> TOMLValue {
        advance()
        var table: [String: TOMLValue] = [:]
        skipSpaces()
        if peek() == UInt8(ascii: "}") {
            advance()
            return .table(table)
        }
        while true {
            let key = try parseKey()
            try expect(UInt8(ascii: "="))
            let value = try parseValue()
            try Self.insert(value, into: &table, path: key, line: line)
            skipSpaces()
            if peek() == UInt8(ascii: ",") {
                advance()
            } else if peek() == UInt8(ascii: "}") {
                advance()
                return .table(table)
            } else {
                throw fail("expected ',' or '}' in an inline table")
            }
        }
    }

    // MARK: - Strings

    private mutating func parseBasicString() throws(TOMLError) -> String {
        advance()
        var out: [UInt8] = []
        while true {
            guard let byte = peek() else { throw fail("unterminated string") }
            if byte == UInt8(ascii: "\n") { throw fail("unterminated string (newline inside a \"...\" string)") }
            advance()
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") {
                try parseEscape(into: &out)
            } else {
                out.append(byte)
            }
        }
        return try utf8(out)
    }

    private mutating func parseMultilineBasicString() throws(TOMLError) -> String {
        index += 3
        skipOneNewline()
        var out: [UInt8] = []
        while true {
            guard let byte = peek() else { throw fail("unterminated multi-line string") }
            if byte == UInt8(ascii: "\""), peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") {
                index += 3
                // Up to two quotes may directly precede the closing delimiter.
                while peek() == UInt8(ascii: "\""), out.count < Int.max {
                    out.append(UInt8(ascii: "\""))
                    advance()
                }
                return try utf8(out)
            }
            advance()
            if byte == UInt8(ascii: "\n") { line += 1 }
            if byte == UInt8(ascii: "\\") {
                // A backslash at the end of a line trims the newline and the whitespace after it.
                var probe = index
                while probe < bytes.count, bytes[probe] == UInt8(ascii: " ") || bytes[probe] == UInt8(ascii: "\t") { probe += 1 }
                if probe < bytes.count, bytes[probe] == UInt8(ascii: "\n") || bytes[probe] == UInt8(ascii: "\r") {
                    index = probe
                    while let b = peek(), b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") {
                        if b == UInt8(ascii: "\n") { line += 1 }
                        advance()
                    }
                } else {
                    try parseEscape(into: &out)
                }
            } else {
                out.append(byte)
            }
        }
    }

    private mutating func parseLiteralString() throws(TOMLError) -> String {
        advance()
        let start = index
        while let byte = peek(), byte != UInt8(ascii: "'") {
            if byte == UInt8(ascii: "\n") { throw fail("unterminated string") }
            advance()
        }
        guard peek() != nil else { throw fail("unterminated string") }
        let text = try utf8(Array(bytes[start..<index]))
        advance()
        return text
    }

    private mutating func parseMultilineLiteralString() throws(TOMLError) -> String {
        index += 3
        skipOneNewline()
        let start = index
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "'"), peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") {
                var end = index
                index += 3
                while peek() == UInt8(ascii: "'") {
                    advance()
                    end += 1
                }
                return try utf8(Array(bytes[start..<end]))
            }
            if bytes[index] == UInt8(ascii: "\n") { line += 1 }
            index += 1
        }
        throw fail("unterminated multi-line string")
    }

    private mutating func parseEscape(into out: inout [UInt8]) throws(TOMLError) {
        guard let escape = peek() else { throw fail("unterminated escape") }
        advance()
        switch escape {
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "e"): out.append(0x1B)
        case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = escape == UInt8(ascii: "u") ? 4 : 8
            guard index + count <= bytes.count,
                let code = UInt32(String(decoding: bytes[index..<(index + count)], as: UTF8.self), radix: 16),
                let scalar = Unicode.Scalar(code)
            else { throw fail("bad unicode escape") }
            index += count
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            throw fail("unknown escape \\\(describe(escape))")
        }
    }

    // MARK: - Building the tree

    private mutating func insert(_ value: TOMLValue, at table: [String], key: [String]) throws(TOMLError) {
        for depth in 1..<max(key.count, 1) {
            definedTables.insert(table + key.prefix(depth))
        }
        let line = self.line
        try Self.modify(&root, path: table, line: line) { (target: inout [String: TOMLValue]) throws(TOMLError) in
            try Self.insert(value, into: &target, path: key, line: line)
        }
    }

    private static func insert(_ value: TOMLValue, into table: inout [String: TOMLValue], path: [String], line: Int) throws(TOMLError) {
        guard let first = path.first else { return }
        if path.count == 1 {
            guard table[first] == nil else { throw TOMLError(line: line, message: "key \(first) is defined twice") }
            table[first] = value
            return
        }
        var child: [String: TOMLValue]
        switch table[first] {
        case nil: child = [:]
        case .table(let existing): child = existing
        case .some(let other): throw TOMLError(line: line, message: "key \(first) is \(other.typeName), not a table")
        }
        try insert(value, into: &child, path: Array(path.dropFirst()), line: line)
        table[first] = .table(child)
    }

    private mutating func ensureTable(at path: [String]) throws(TOMLError) {
        try Self.modify(&root, path: path, line: line) { _ in }
    }

    private mutating func appendTable(at path: [String]) throws(TOMLError) {
        guard let last = path.last else { throw fail("empty table name") }
        let line = self.line
        try Self.modify(&root, path: Array(path.dropLast()), line: line) { (parent: inout [String: TOMLValue]) throws(TOMLError) in
            switch parent[last] {
            case nil: parent[last] = .array([.table([:])])
            case .array(var items):
                items.append(.table([:]))
                parent[last] = .array(items)
            case .some(let other): throw TOMLError(line: line, message: "\(last) is \(other.typeName), not an array of tables")
            }
        }
        definedTables = definedTables.filter { !$0.starts(with: path) || $0 == path }
    }

    /// Walks to the table at `path` (entering the last element of arrays of tables) and edits it.
    private static func modify(
        _ table: inout [String: TOMLValue], path: [String], line: Int,
        _ body: (inout [String: TOMLValue]) throws(TOMLError) -> Void
    ) throws(TOMLError) {
        guard let first = path.first else {
            try body(&table)
            return
        }
        let rest = Array(path.dropFirst())
        switch table[first] {
        case nil:
            var child: [String: TOMLValue] = [:]
            try modify(&child, path: rest, line: line, body)
            table[first] = .table(child)
        case .table(var child):
            try modify(&child, path: rest, line: line, body)
            table[first] = .table(child)
        case .array(var items):
            guard case .table(var child)? = items.last else {
                throw TOMLError(line: line, message: "\(first) is an array of values, not of tables")
            }
            try modify(&child, path: rest, line: line, body)
            items[items.count - 1] = .table(child)
            table[first] = .array(items)
        case .some(let other):
            throw TOMLError(line: line, message: "\(first) is \(other.typeName), not a table")
        }
    }

    // MARK: - Bytes

    private func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    private mutating func advance() { index += 1 }

    private func matches(_ word: String) -> Bool {
        let w = Array(word.utf8)
        guard index + w.count <= bytes.count, Array(bytes[index..<(index + w.count)]) == w else { return false }
        if let next = peek(w.count) { return isValueTerminator(next) }
        return true
    }

    private mutating func expect(_ byte: UInt8) throws(TOMLError) {
        skipSpaces()
        guard peek() == byte else {
            throw fail("expected '\(Character(Unicode.Scalar(byte)))', found \(peek().map(describe) ?? "the end of the file")")
        }
        advance()
        skipSpaces()
    }

    private mutating func skipSpaces() {
        while let b = peek(), b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") { advance() }
    }

    private mutating func skipComment() {
        while let b = peek(), b != UInt8(ascii: "\n") { advance() }
    }

    private mutating func skipOneNewline() {
        if peek() == UInt8(ascii: "\r"), peek(1) == UInt8(ascii: "\n") { index += 1 }
        if peek() == UInt8(ascii: "\n") {
            advance()
            line += 1
        }
    }

    private mutating func skipWhitespaceCommentsAndNewlines() {
        while let b = peek() {
            if b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\r") {
                advance()
            } else if b == UInt8(ascii: "\n") {
                advance()
                line += 1
            } else if b == UInt8(ascii: "#") {
                skipComment()
            } else {
                return
            }
        }
    }

    private func utf8(_ bytes: [UInt8]) throws(TOMLError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw fail("invalid UTF-8 in a string") }
        return text
    }

    private func describe(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x" + String(byte, radix: 16, uppercase: true)
    }

    private func fail(_ message: String) -> TOMLError { TOMLError(line: line, message: message) }
}
