/// One entry of tokenizer.json's `added_tokens` (for BERT: `[PAD]`, `[UNK]`, `[CLS]`, `[SEP]`,
/// `[MASK]`). Where its text appears in the input it becomes its id directly, before normalisation and
/// WordPiece, as in the reference.
struct AddedToken: Sendable, Equatable {
    var content: [Unicode.Scalar]
    var id: Int32
    /// Matches only where no word character touches either end.
    var singleWord = false
    /// Swallows the whitespace on its left.
    var stripLeft = false
    /// Swallows the whitespace on its right.
    var stripRight = false
    /// Matched against the normalised text (with `content` normalised) instead of the raw text.
    var isNormalized = false
}

/// Finds added tokens in text: scanning left to right, at each position the longest token that starts
/// there wins (the reference's leftmost-longest rule); matches do not overlap.
struct AddedTokens: Sendable {
    enum Piece {
        case text(Range<Int>)
        case token(Int32)
    }

    private let tokens: [AddedToken]
    /// Bit n (of 128, in two words) is set when some token starts with ASCII scalar n; non-ASCII first
    /// scalars are listed in `otherFirstScalars`.
    private let asciiFirst: (UInt64, UInt64)
    private let otherFirstScalars: Set<UInt32>

    init(_ tokens: [AddedToken]) {
        self.tokens = tokens.filter { !$0.content.isEmpty }
        var ascii: (UInt64, UInt64) = (0, 0)
        var other = Set<UInt32>()
        for token in self.tokens {
            let first = token.content[0].value
            if first < 64 {
                ascii.0 |= 1 << UInt64(first)
            } else if first < 128 {
                ascii.1 |= 1 << UInt64(first - 64)
            } else {
                other.insert(first)
            }
        }
        asciiFirst = ascii
        otherFirstScalars = other
    }

    var isEmpty: Bool { tokens.isEmpty }

    /// Splits `scalars` (indexed 0..<count) into text pieces and tokens, covering everything.
    func split<Scalars: RandomAccessCollection<Unicode.Scalar>>(
        _ scalars: Scalars, _ body: (Piece) -> Bool
    ) where Scalars.Index == Int {
        guard !tokens.isEmpty else {
            _ = body(.text(scalars.startIndex..<scalars.endIndex))
            return
        }
        var pieceStart = scalars.startIndex
        var position = scalars.startIndex
        while position < scalars.endIndex {
            guard mayStartToken(scalars[position].value),
                  let (token, matchEnd) = longestMatch(in: scalars, at: position) else {
                position += 1
                continue
            }
            if token.singleWord,
               (position > scalars.startIndex && Self.isWordScalar(scalars[position - 1]))
                || (matchEnd < scalars.endIndex && Self.isWordScalar(scalars[matchEnd])) {
                position = matchEnd
                continue
            }
            var start = position
            var end = matchEnd
            if token.stripLeft {
                while start > pieceStart, BertCharacterClass.isSeparator(scalars[start - 1].value) { start -= 1 }
            }
            if token.stripRight {
                while end < scalars.endIndex, BertCharacterClass.isSeparator(scalars[end].value) { end += 1 }
            }
            if pieceStart < start {
                guard body(.text(pieceStart..<start)) else { return }
            }
            guard body(.token(token.id)) else { return }
            pieceStart = end
            position = end
        }
        if pieceStart < scalars.endIndex || scalars.isEmpty {
            _ = body(.text(pieceStart..<scalars.endIndex))
        }
    }

    @inline(__always)
    private func mayStartToken(_ value: UInt32) -> Bool {
        if value < 64 { return asciiFirst.0 & (1 << UInt64(value)) != 0 }
        if value < 128 { return asciiFirst.1 & (1 << UInt64(value - 64)) != 0 }
        return otherFirstScalars.contains(value)
    }

    private func longestMatch<Scalars: RandomAccessCollection<Unicode.Scalar>>(
        in scalars: Scalars, at position: Int
    ) -> (AddedToken, Int)? where Scalars.Index == Int {
        var best: (AddedToken, Int)? = nil
        for token in tokens where token.content.count <= scalars.endIndex - position {
            if let current = best, current.0.content.count >= token.content.count { continue }
            var matches = true
            for (offset, scalar) in token.content.enumerated() where scalars[position + offset] != scalar {
                matches = false
                break
            }
            if matches { best = (token, position + token.content.count) }
        }
        return best
    }

    /// A word character in the sense of the reference's `\w`: alphabetic, a mark, a decimal digit,
    /// connector punctuation or a joiner.
    private static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        if properties.isAlphabetic || properties.isJoinControl { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }
}
