/// The character classes the BERT normaliser and pre-tokeniser decide on, exactly as the reference
/// implementation (Hugging Face `tokenizers`) draws them.
///
/// The reference takes general categories from a Unicode table older than Swift's, so scalars assigned
/// or re-categorised since are classified differently there (e.g. U+2E43 is punctuation for Swift but
/// not for the reference). The tables in `BertCharacterClass+Tables.swift` are generated from the
/// reference itself; ASCII is answered without them.
enum BertCharacterClass {
    /// Dropped by `clean_text`.
    static func isRemoved(_ value: UInt32) -> Bool {
        if value < 0x80 { return value < 0x09 || value == 0x0B || value == 0x0C || (0x0E...0x1F).contains(value) || value == 0x7F }
        return contains(removedRanges, value)
    }

    /// Turned into U+0020 by `clean_text` (tested after `isRemoved`).
    static func isWhitespace(_ value: UInt32) -> Bool {
        if value < 0x80 { return value == 0x09 || value == 0x0A || value == 0x0D }
        return contains(whitespaceRanges, value)
    }

    /// A word boundary for the pre-tokeniser.
    static func isSeparator(_ value: UInt32) -> Bool {
        if value < 0x80 { return value == 0x20 || (0x09...0x0D).contains(value) }
        return contains(separatorRanges, value)
    }

    /// Isolated as its own word by the pre-tokeniser.
    static func isPunctuation(_ value: UInt32) -> Bool {
        if value < 0x80 {
            return (33...47).contains(value) || (58...64).contains(value) || (91...96).contains(value)
                || (123...126).contains(value)
        }
        return contains(punctuationRanges, value)
    }

    /// Dropped after canonical decomposition when accents are stripped.
    static func isNonspacingMark(_ value: UInt32) -> Bool {
        value >= 0x300 && contains(nonspacingMarkRanges, value)
    }

    /// Changed by canonical decomposition (other than by being a mark that is dropped anyway).
    static func isDecomposable(_ value: UInt32) -> Bool {
        value >= 0xC0 && contains(decomposableRanges, value)
    }

    /// Padded with spaces by `handle_chinese_chars`: the CJK ideograph blocks as the reference lists
    /// them (its list skips U+2B820–U+2B91F).
    static func isChineseCharacter(_ value: UInt32) -> Bool {
        switch value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    /// Binary search over sorted inclusive [low, high] pairs stored flat.
    private static func contains(_ ranges: [UInt32], _ value: UInt32) -> Bool {
        var low = 0
        var high = ranges.count / 2
        while low < high {
            let middle = (low + high) / 2
            if value < ranges[2 * middle] {
                high = middle
            } else if value > ranges[2 * middle + 1] {
                low = middle + 1
            } else {
                return true
            }
        }
        return false
    }
}
