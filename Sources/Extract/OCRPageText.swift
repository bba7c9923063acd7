/// What Tesseract read on one page (or image), and how sure it was.
struct OCRPageText: Sendable, Equatable {
    /// Lines as Tesseract laid them out, paragraphs separated by a blank line.
    var text: String
    /// Tesseract's mean word confidence, 0–100.
    var meanConfidence: Int
    var wordCount: Int
    /// Recognition was stopped at the page time limit.
    var timedOut: Bool

    /// The text as paragraphs, words hyphenated at a line end joined, as for a PDF's text layer.
    var paragraphs: [String] { PDFExtractor.paragraphs(lines) }

    /// The lines, each in one line's spacing and without a speck of dust Tesseract read as a lone mark
    /// at its start or end ("agree- ,", "~ All other repairs", "Page 1 of 4 ."): such a mark would hide
    /// a hyphen to join, a sentence going on over a page break, or a page number.
    var lines: [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { Self.withoutSpecks(DocumentBuilder.oneLine($0)) }
    }

    /// Marks a speck is read as. Not a list's markers (`-`, `•`, `*`) nor brackets, which may be text.
    private static let speckMarks: Set<Character> = [".", ",", ";", ":", "'", "‘", "’", "`", "\"", "“", "”", "~", "°", "©", "®", "_", "|", "¢", "«", "»", "^"]

    /// `line` without a lone speck mark (one character after its last space, or before its first).
    static func withoutSpecks(_ line: String) -> String {
        var words = line.split(separator: " ", omittingEmptySubsequences: false)
        while words.count > 1, let last = words.last, last.count == 1, let mark = last.first, speckMarks.contains(mark) {
            words.removeLast()
        }
        while words.count > 1, let first = words.first, first.count == 1, let mark = first.first, speckMarks.contains(mark) {
            words.removeFirst()
        }
        return words.joined(separator: " ")
    }

    /// Why this page's text is not indexed, or nil when it is good enough. `place` names it in the
    /// message: "page 3", "the image".
    func problem(place: String, settings: OCRSettings) -> String? {
        if timedOut {
            return "\(place): OCR stopped after \(settings.pageTimeoutSeconds) s ([ocr] page_timeout); its text is not indexed"
        }
        if wordCount == 0 || paragraphs.isEmpty { return "\(place): OCR found no text" }
        if meanConfidence < settings.minConfidence {
            return "\(place): OCR confidence \(meanConfidence) is below \(settings.minConfidence) ([ocr] min_confidence); "
                + "its text is not indexed"
        }
        return nil
    }
}
