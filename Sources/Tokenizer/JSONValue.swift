/// A parsed JSON document that keeps object members in file order and strings exactly as written.
///
/// Foundation's JSON readers hand back `[String: Any]`, and Swift `String` keys compare by canonical
/// equivalence: two vocabulary entries that differ only in Unicode normalisation would collapse into
/// one. The reference compares bytes, so the vocabulary is read through this parser instead.
enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    /// The first member named `key` of an object; nil for other values or a missing member.
    subscript(key: String) -> JSONValue? {
        guard case let .object(members) = self else { return nil }
        // Byte comparison, not String ==, for the reason given above.
        return members.first { $0.key.utf8.elementsEqual(key.utf8) }?.value
    }

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    var stringValue: String? {
        if case let .string(value) = self { return value }
        return nil
    }

    var boolValue: Bool? {
        if case let .bool(value) = self { return value }
        return nil
    }

    /// The number as an integer, when it is one exactly.
    var intValue: Int? {
        guard case let .number(value) = self, value.rounded() == value, abs(value) < 0x1p53 else { return nil }
        return Int(value)
    }

    var arrayValue: [JSONValue]? {
        if case let .array(value) = self { return value }
        return nil
    }

    var objectMembers: [(key: String, value: JSONValue)]? {
        if case let .object(value) = self { return value }
        return nil
    }
}
