/// The markers that FTS5's `snippet()` puts around matched words, and their removal.
///
/// Private-use scalars cannot be typed by a user and the tokenizer treats them as part of a word,
/// so they survive snippet() without being mistaken for text.
enum SnippetMarkup {
    static let open: Unicode.Scalar = "\u{E000}"
    static let close: Unicode.Scalar = "\u{E001}"
    /// A snippet is short by definition: at most this many scalars, whatever a chunk holds (FTS5
    /// counts a 19 MB run without spaces as one token, and would return it whole).
    static let maxScalars = 400

    /// Removes the markers from `marked` and returns where they were, as half-open ranges of
    /// Unicode scalar offsets into the cleaned text. An unpaired or nested marker is dropped.
    static func strip(_ marked: String) -> (text: String, highlights: [Range<Int>]) {
        var text = String.UnicodeScalarView()
        var highlights: [Range<Int>] = []
        var openedAt: Int?
        for scalar in marked.unicodeScalars {
            if text.count >= maxScalars && scalar != close {
                if let start = openedAt, start < text.count { highlights.append(start..<text.count) }
                text.append("…")
                return (String(text), highlights)
            }
            switch scalar {
            case open:
                if openedAt == nil { openedAt = text.count }
            case close:
                if let start = openedAt, start < text.count {
                    highlights.append(start..<text.count)
                }
                openedAt = nil
            default:
                text.append(scalar)
            }
        }
        return (String(text), highlights)
    }
}
