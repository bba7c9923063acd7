/// How a file's bytes were decoded. Raw values are stored in the database.
public enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    /// UTF-8 after a byte order mark (EF BB BF), which is not part of the text.
    case utf8BOM = "utf-8-bom"
    /// UTF-16 little-endian after its byte order mark (FF FE).
    case utf16LE = "utf-16le"
    /// UTF-16 big-endian after its byte order mark (FE FF).
    case utf16BE = "utf-16be"
    /// The fallback for bytes that are not UTF-8: each byte is the code point U+0000–U+00FF.
    case latin1 = "latin-1"

    /// Length in bytes of the byte order mark that precedes the text.
    var byteOrderMarkLength: Int {
        switch self {
        case .utf8, .latin1: return 0
        case .utf8BOM: return 3
        case .utf16LE, .utf16BE: return 2
        }
    }
}
