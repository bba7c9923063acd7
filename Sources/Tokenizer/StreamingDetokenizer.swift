/// Turns generated token ids into text as they arrive, never emitting half a UTF-8 character: a
/// token can end in the middle of one (an emoji is often two or three byte tokens), so the bytes of
/// an incomplete character wait for the next token. Bytes that can never become valid UTF-8 are
/// emitted at once as U+FFFD, so the concatenated output equals decoding all bytes lossily.
///
/// Control tokens (`<|im_end|>`, `<|endoftext|>`) are skipped unless `includesControlTokens`: the
/// generator stops on them and the reader should not see them.
public struct StreamingDetokenizer: Sendable {
    private let tokenizer: ByteLevelBPETokenizer
    private let includesControlTokens: Bool
    /// Bytes of a character still incomplete (at most 3).
    private var pending: [UInt8] = []

    /// - Parameter includesControlTokens: emit control tokens' text too (for debugging prompts).
    public init(tokenizer: ByteLevelBPETokenizer, includesControlTokens: Bool = false) {
        self.tokenizer = tokenizer
        self.includesControlTokens = includesControlTokens
    }

    /// Adds one token; returns the text it completes ("" while a character is still incomplete).
    public mutating func append(_ id: Int32) -> String {
        if tokenizer.isControl(id) && !includesControlTokens {
            return ""
        }
        pending.append(contentsOf: tokenizer.tokenBytes(id))
        let end = Self.completePrefixLength(pending)
        guard end > 0 else {
            return ""
        }
        let text = String(decoding: pending[..<end], as: UTF8.self)
        pending.removeFirst(end)
        return text
    }

    /// The rest: an incomplete character at the end becomes U+FFFD.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// How many leading bytes can be decoded now: all of them, unless they end in the valid start
    /// of a longer character that later bytes may complete.
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        let count = bytes.count
        // The last byte that is not a continuation byte, looking back at most 3 bytes.
        var lead = count - 1
        while lead >= 0 && lead > count - 4 && bytes[lead] & 0xC0 == 0x80 {
            lead -= 1
        }
        guard lead >= 0, lead > count - 4 else {
            return count
        }
        let first = bytes[lead]
        let length: Int
        switch first {
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return count  // ASCII, or a byte that never starts a character
        }
        let available = count - lead
        guard available < length else {
            return count
        }
        // The second byte's range is narrower after some lead bytes (no overlongs, no surrogates,
        // nothing above U+10FFFF); a byte outside it makes the sequence invalid already.
        if available >= 2 {
            let second = bytes[lead + 1]
            let valid: ClosedRange<UInt8> = switch first {
            case 0xE0: 0xA0...0xBF
            case 0xED: 0x80...0x9F
            case 0xF0: 0x90...0xBF
            case 0xF4: 0x80...0x8F
            default: 0x80...0xBF
            }
            guard valid.contains(second) else {
                return count
            }
        }
        return lead
    }
}
