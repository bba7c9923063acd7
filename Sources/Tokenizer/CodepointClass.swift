/// The three properties the byte-level pre-tokenizers test: `\p{L}`, `\p{N}` and `\s`, with
/// llama.cpp's definitions (general categories L* and N*; the Unicode White_Space list, which
/// unlike many regex engines excludes U+001C…U+001F), as of Unicode 15.1.
struct CodepointClass: OptionSet, Sendable {
    let rawValue: UInt8

    static let letter = CodepointClass(rawValue: 1)
    static let number = CodepointClass(rawValue: 2)
    static let whitespace = CodepointClass(rawValue: 4)

    /// The class of a code point; ASCII and the rest of the BMP come from a table built once.
    static func of(_ value: UInt32) -> CodepointClass {
        if value < 0x1_0000 {
            return CodepointClass(rawValue: basicPlane[Int(value)])
        }
        return computed(value)
    }

    /// The first Unicode version llama.cpp's category tables do not know.
    private static let maximumUnicodeMajorVersion = 16

    private static let basicPlane: [UInt8] = (0..<UInt32(0x1_0000)).map { computed($0).rawValue }

    private static func computed(_ value: UInt32) -> CodepointClass {
        var result: CodepointClass = []
        if isWhitespace(value) {
            result.insert(.whitespace)
        }
        // Surrogate code points never reach here from a Swift string; they classify as nothing.
        guard let scalar = Unicode.Scalar(value) else {
            return result
        }
        let properties = scalar.properties
        let kind: CodepointClass
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            kind = .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            kind = .number
        default:
            return result
        }
        // Characters newer than llama.cpp's tables (Unicode 15.1) are unassigned there, hence
        // neither letters nor numbers; this keeps ids identical to the reference.
        guard let age = properties.age, age.major < maximumUnicodeMajorVersion else {
            return result
        }
        result.insert(kind)
        return result
    }

    private static func isWhitespace(_ value: UInt32) -> Bool {
        switch value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }
}
