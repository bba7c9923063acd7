/// Cuts one block that is too big for a chunk into pieces of about `target` tokens, preferring to cut
/// at paragraph, then sentence, then line, then word boundaries, and cutting inside a word only when a
/// word alone is too big. Consecutive pieces share about `overlap` tokens, so a sentence cut in two
/// is still found whole in one of them.
///
/// The block is first cut into spans (words, single CJK characters, pieces of giant words), whose token
/// counts are summed with prefix sums to choose cuts quickly: a WordPiece-style count is additive
/// across whitespace. Each finished piece is then counted whole, and shrunk if the sum fell short.
struct ParagraphSplitter {
    let target: Int
    let overlap: Int
    /// Token count of the text between two UTF-8 offsets.
    let count: (Int, Int) -> Int

    private struct Span {
        var start: Int
        var end: Int
        var tokens: Int
        /// Strength of the boundary before this span: 0 inside a word, 1 between words, 2 at a line
        /// break, 3 after a sentence, 4 at a blank line.
        var boundary: Int
    }

    /// Half-open UTF-8 ranges of the pieces, in order; consecutive ranges may overlap.
    func split(_ utf8: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> [(start: Int, end: Int)] {
        let spans = makeSpans(utf8, start: start, end: end)
        guard !spans.isEmpty else { return [] }
        var prefix = [0]
        prefix.reserveCapacity(spans.count + 1)
        for span in spans { prefix.append(prefix[prefix.count - 1] + span.tokens) }
        func tokens(_ from: Int, _ to: Int) -> Int { prefix[to] - prefix[from] }
        /// Strength of the boundary before span `index`; the ends of the block are the strongest.
        func boundary(_ index: Int) -> Int { index >= spans.count ? 5 : spans[index].boundary }

        var pieces: [(start: Int, end: Int)] = []
        var first = 0
        var previousEnd = 0
        while first < spans.count {
            var last = first + 1  // exclusive; one span always fits (spans are at most `target`)
            while last < spans.count && tokens(first, last + 1) <= target { last += 1 }
            if last < spans.count {
                // Back off to the strongest boundary that still leaves the piece at least half full.
                var best = last
                var candidate = last - 1
                while candidate > max(first, previousEnd) && tokens(first, candidate) * 2 >= target {
                    if boundary(candidate) > boundary(best) { best = candidate }
                    candidate -= 1
                }
                last = best
            }
            // The counter has the last word: span counts need not add up (the pieces of a cut word may
            // cost less than the word), so shrink the piece, then its overlap, until it really fits.
            while count(spans[first].start, spans[last - 1].end) > target {
                if last - 1 > max(first, previousEnd) {
                    last -= 1
                } else if first < last - 1 {
                    first += 1
                } else {
                    break
                }
            }
            pieces.append((spans[first].start, spans[last - 1].end))
            if last >= spans.count { break }
            previousEnd = last
            first = overlapStart(before: last, after: first, tokens: tokens, boundary: boundary)
        }
        return pieces
    }

    /// Where the next piece starts: as far back as `overlap` tokens allow, moved forward to a sentence
    /// or line start when one keeps at least half the overlap, and never so far back that the next
    /// span would not fit.
    private func overlapStart(
        before end: Int, after start: Int, tokens: (Int, Int) -> Int, boundary: (Int) -> Int
    ) -> Int {
        guard overlap > 0 else { return end }
        var earliest = end
        while earliest - 1 > start && tokens(earliest - 1, end) <= overlap { earliest -= 1 }
        guard earliest < end else { return end }
        var chosen = earliest
        for candidate in earliest..<end where tokens(candidate, end) * 2 >= overlap && boundary(candidate) > boundary(chosen) {
            chosen = candidate
        }
        while chosen < end && tokens(chosen, end + 1) > target { chosen += 1 }
        return chosen
    }

    // MARK: - Spans

    private func makeSpans(_ utf8: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> [Span] {
        var spans: [Span] = []
        var spanStart: Int?
        var endsSentence = false
        var previousEndsSentence = false
        var newlines = 0

        func boundaryStrength() -> Int {
            if spans.isEmpty { return 5 }
            if newlines >= 2 { return 4 }
            if previousEndsSentence { return 3 }
            return newlines == 1 ? 2 : 1
        }

        func close(at position: Int) {
            guard let from = spanStart else { return }
            appendSpan(&spans, from: from, to: position, boundary: boundaryStrength(), utf8: utf8)
            spanStart = nil
            previousEndsSentence = endsSentence
            newlines = 0
        }

        var position = start
        while position < end {
            let length = min(ExtractedText.scalarLength(leadByte: utf8[position]), end - position)
            let scalar = ParagraphSplitter.decode(utf8, at: position, length: length)
            if ParagraphSplitter.isSpace(scalar) {
                close(at: position)
                if scalar == "\n" { newlines += 1 }
            } else if ParagraphSplitter.isIdeographic(scalar) {
                // CJK is written without spaces, and each character is a token: make each a span.
                close(at: position)
                spanStart = position
                endsSentence = false
                close(at: position + length)
            } else {
                if spanStart == nil {
                    spanStart = position
                    endsSentence = false
                }
                if ParagraphSplitter.isSentenceEnd(scalar) {
                    endsSentence = true
                    if scalar.value >= 0x3000 { close(at: position + length) }  // "。" ends the span too
                } else if !ParagraphSplitter.isCloser(scalar) {
                    endsSentence = false
                }
            }
            position += length
        }
        close(at: end)
        return spans
    }

    /// Appends the span, or, when it alone exceeds the target (a giant word), its pieces.
    private func appendSpan(_ spans: inout [Span], from: Int, to: Int, boundary: Int, utf8: UnsafeBufferPointer<UInt8>) {
        let tokens = count(from, to)
        if tokens <= target {
            spans.append(Span(start: from, end: to, tokens: tokens, boundary: boundary))
            return
        }
        // Small pieces so that the overlap between chunks can still be made of them.
        let limit = max(1, overlap > 0 ? min(target, max(overlap / 2, 1)) : target)
        var starts: [Int] = []
        var position = from
        while position < to {
            starts.append(position)
            position += ExtractedText.scalarLength(leadByte: utf8[position])
        }
        starts.append(to)
        var first = 0
        var strength = boundary
        while first < starts.count - 1 {
            // Largest `last` with count(first, last) <= limit, by binary search over a bounded window.
            var low = first + 1
            var high = min(first + limit * 8 + 1, starts.count - 1)
            if count(starts[first], starts[high]) <= limit {
                low = high
            } else {
                while low + 1 < high {
                    let middle = (low + high) / 2
                    if count(starts[first], starts[middle]) <= limit { low = middle } else { high = middle }
                }
            }
            spans.append(Span(start: starts[first], end: starts[low], tokens: count(starts[first], starts[low]), boundary: strength))
            strength = 0
            first = low
        }
    }

    // MARK: - Characters

    static func decode(_ utf8: UnsafeBufferPointer<UInt8>, at position: Int, length: Int) -> Unicode.Scalar {
        let lead = UInt32(utf8[position])
        var value: UInt32
        switch length {
        case 1: return Unicode.Scalar(UInt8(lead))
        case 2: value = lead & 0x1F
        case 3: value = lead & 0x0F
        default: value = lead & 0x07
        }
        for offset in 1..<length { value = value << 6 | UInt32(utf8[position + offset] & 0x3F) }
        return Unicode.Scalar(value) ?? "\u{FFFD}"
    }

    static func isSpaceByte(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 {
            return scalar == " " || scalar == "\n" || scalar == "\t" || scalar == "\r" || scalar.value == 0x0B || scalar.value == 0x0C
        }
        return scalar.properties.isWhitespace
    }

    /// CJK ideographs, kana and Hangul syllables.
    static func isIdeographic(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7AF, 0xF900...0xFAFF, 0x20000...0x2FA1F:
            return true
        default:
            return false
        }
    }

    static func isSentenceEnd(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case ".", "!", "?", "\u{2026}", "\u{3002}", "\u{FF01}", "\u{FF1F}": return true
        default: return false
        }
    }

    /// Closing quotes and brackets that may follow the end of a sentence.
    static func isCloser(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\"", "'", ")", "]", "\u{2019}", "\u{201D}", "\u{00BB}", "\u{300D}", "\u{300F}": return true
        default: return false
        }
    }
}
