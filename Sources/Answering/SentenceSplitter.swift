/// Splits text into sentences by byte ranges (UTF-8 offsets), what the citation check works on.
/// A sentence ends at `.`, `!` or `?` followed by a space or the end; a citation marker written
/// after the full stop ("…Super Friends. [1]") still belongs to the sentence before it. Decimals
/// ("3.5"), initials and common abbreviations ("Dr.", "e.g.") and a full stop followed by a
/// lower-case word do not end a sentence.
public enum SentenceSplitter {
    /// `lineBreaks`: a single line break ends a sentence (answers, lists); otherwise only a blank line
    /// does (documents, whose paragraphs are often wrapped).
    public static func ranges(in text: String, lineBreaks: Bool) -> [Range<Int>] {
        let bytes = Array(text.utf8)
        var ranges: [Range<Int>] = []
        var start = 0
        func emit(_ end: Int) {
            var low = start, high = end
            while low < high, isSpace(bytes[low]) { low += 1 }
            while high > low, isSpace(bytes[high - 1]) { high -= 1 }
            if low < high { ranges.append(low..<high) }
            start = end
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == newline {
                if lineBreaks || (index + 1 < bytes.count && isBlankLineAhead(bytes, from: index + 1)) { emit(index + 1) }
                index += 1
                continue
            }
            guard byte == period || byte == exclamation || byte == question else {
                index += 1
                continue
            }
            var end = index + 1
            while end < bytes.count, closers.contains(bytes[end]) { end += 1 }
            end = markerEnd(bytes, after: end) ?? end
            let followedBySpace = end == bytes.count || isSpace(bytes[end])
            if followedBySpace, byte != period || endsSentence(bytes, period: index, next: end) {
                emit(end)
                index = end
            } else {
                index += 1
            }
        }
        emit(bytes.count)
        return ranges
    }

    /// The text of each range.
    public static func sentences(in text: String, lineBreaks: Bool) -> [String] {
        let bytes = Array(text.utf8)
        return ranges(in: text, lineBreaks: lineBreaks).map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    // MARK: - Bytes

    private static let newline = UInt8(ascii: "\n")
    private static let period = UInt8(ascii: ".")
    private static let exclamation = UInt8(ascii: "!")
    private static let question = UInt8(ascii: "?")
    private static let closers: Set<UInt8> = [UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: ")"), UInt8(ascii: "*")]
    private static let abbreviations: Set<String> = [
        "dr", "mr", "mrs", "ms", "st", "vs", "etc", "e.g", "i.e", "no", "fig", "approx", "inc", "ltd", "jr", "sr", "prof", "mt",
    ]

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private static func isBlankLineAhead(_ bytes: [UInt8], from index: Int) -> Bool {
        var position = index
        while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x09 || bytes[position] == 0x0D { position += 1 }
        return position == bytes.count || bytes[position] == newline
    }

    /// The end of the citation markers (`[1]`, ` [2, 3]`) right after `index`, or nil when none follow.
    private static func markerEnd(_ bytes: [UInt8], after index: Int) -> Int? {
        var end: Int?
        var position = index
        while true {
            var open = position
            while open < bytes.count, bytes[open] == 0x20 { open += 1 }
            guard open < bytes.count, bytes[open] == UInt8(ascii: "[") else { break }
            var close = open + 1
            while close < bytes.count, close - open <= 40, isMarkerByte(bytes[close]) { close += 1 }
            guard close < bytes.count, bytes[close] == UInt8(ascii: "]"), close > open + 1 else { break }
            end = close + 1
            position = close + 1
            // A full stop after the marker ("…Friends [1].") belongs to the sentence too.
            if position < bytes.count, bytes[position] == period {
                position += 1
                end = position
            }
        }
        return end
    }

    private static func isMarkerByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || byte == 0x2C || byte == 0x2D || byte == 0x20
    }

    /// Whether the full stop at `period` ends a sentence, `next` being where the following text starts.
    private static func endsSentence(_ bytes: [UInt8], period: Int, next: Int) -> Bool {
        var wordStart = period
        while wordStart > 0, !isSpace(bytes[wordStart - 1]), bytes[wordStart - 1] != UInt8(ascii: "(") { wordStart -= 1 }
        let word = String(decoding: bytes[wordStart..<period], as: UTF8.self).lowercased()
        if word.count == 1, word.first?.isLetter == true { return false }  // an initial: "J. Smith"
        if abbreviations.contains(word) { return false }
        var following = next
        while following < bytes.count, isSpace(bytes[following]) { following += 1 }
        if following < bytes.count, bytes[following] >= UInt8(ascii: "a"), bytes[following] <= UInt8(ascii: "z") { return false }
        return true
    }
}
