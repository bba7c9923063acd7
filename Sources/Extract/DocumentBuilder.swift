/// Accumulates an ``ExtractedDocument``'s Markdown-shaped text block by block: headings as `# Title`
/// lines, blocks separated by one blank line, parts as UTF-8 ranges. Every extractor writes through it,
/// so the shape the chunker relies on and the text-size limit are enforced in one place.
struct DocumentBuilder {
    private(set) var text = ""
    private(set) var byteCount = 0
    private(set) var parts: [DocumentPart] = []
    private var openPart: (start: Int, page: Int?, label: String?, isOCR: Bool, hasText: Bool)?
    let maxTextBytes: Int

    init(limits: ExtractionLimits) {
        maxTextBytes = limits.maxTextBytes
    }

    /// `# text` at `level` (1...6); empty titles are dropped.
    mutating func heading(_ title: String, level: Int = 1) throws(ExtractionFailure) {
        let line = Self.oneLine(title)
        guard !line.isEmpty else { return }
        try block(String(repeating: "#", count: min(max(level, 1), 6)) + " " + line)
    }

    /// A paragraph: runs of spaces and tabs collapsed, lines kept, blank lines removed (a blank line
    /// would end the block for the chunker), and a leading `#` escaped so text never becomes a heading.
    mutating func paragraph(_ paragraph: String) throws(ExtractionFailure) {
        let lines = Self.paragraphLines(paragraph)
        guard !lines.isEmpty else { return }
        try block(lines.joined(separator: "\n"))
    }

    /// Goes on with the last block, a paragraph, in the part just begun: a paragraph that runs over a
    /// page break is one block whose lines lie in two parts (a chunk of it spans both pages). With
    /// `joiningHyphen`, the hyphen that ends the text so far is dropped and the word joined.
    mutating func continueParagraph(_ paragraph: String, joiningHyphen: Bool = false) throws(ExtractionFailure) {
        let lines = Self.paragraphLines(paragraph)
        guard !lines.isEmpty else { return }
        guard byteCount > 0 else { return try block(lines.joined(separator: "\n")) }
        let body = lines.joined(separator: "\n")
        if joiningHyphen, text.hasSuffix("-") {
            text.removeLast()
            byteCount -= 1
            // The part before the break ended after the hyphen.
            if let last = parts.indices.last, parts[last].end > byteCount { parts[last].end = max(parts[last].start, byteCount) }
        } else {
            try reserve(1)
            text += "\n"
            byteCount += 1
        }
        try reserve(body.utf8.count)
        if let part = openPart, !part.hasText {
            openPart?.start = byteCount
            openPart?.hasText = true
        }
        text += body
        byteCount += body.utf8.count
    }

    /// A paragraph's lines: runs of spaces and tabs collapsed, blank lines removed (a blank line would
    /// end the block for the chunker), a leading `#` escaped so text never becomes a heading.
    private static func paragraphLines(_ paragraph: String) -> [String] {
        paragraph.split(separator: "\n", omittingEmptySubsequences: false)
            .map { Self.oneLine($0) }
            .filter { !$0.isEmpty }
            .map { $0.hasPrefix("#") ? "\\" + $0 : $0 }
    }

    /// Text kept as it is, line by line (code cells, preformatted text); only blank lines are dropped.
    mutating func verbatim(_ body: String) throws(ExtractionFailure) {
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in String(line.reversed().drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" }).reversed()) }
            .filter { !$0.isEmpty }
        guard !lines.isEmpty else { return }
        try block(lines.joined(separator: "\n"))
    }

    /// Starts a part (page, slide, sheet, message); the previous one, if any, ends here.
    mutating func beginPart(page: Int? = nil, label: String? = nil, isOCR: Bool = false) {
        endPart()
        openPart = (byteCount, page, label, isOCR, false)
    }

    /// Ends the open part; a part that received no text is dropped.
    mutating func endPart() {
        guard let part = openPart else { return }
        openPart = nil
        if part.hasText {
            parts.append(DocumentPart(start: part.start, end: byteCount, page: part.page, label: part.label, isOCR: part.isOCR))
        }
    }

    /// Appends another document's text as blocks, shifting its parts into this one's offsets; `label`
    /// and `page` fill in where the inner part has none, and `labelPrefix` is prepended to inner labels
    /// (a message's subject before its attachment's name).
    mutating func append(_ document: ExtractedDocument, label: String?, labelPrefix: String? = nil) throws(ExtractionFailure) {
        endPart()
        let body = document.text
        guard !body.isEmpty else { return }
        let separator = byteCount == 0 ? "" : "\n\n"
        try reserve(separator.utf8.count + body.utf8.count)
        text += separator
        byteCount += separator.utf8.count
        let base = byteCount
        text += body
        byteCount += body.utf8.count
        if document.parts.isEmpty {
            parts.append(DocumentPart(start: base, end: byteCount, label: labelPrefix ?? label))
        } else {
            for inner in document.parts {
                let innerLabel: String? = switch (labelPrefix, inner.label) {
                case let (prefix?, name?): prefix + " › " + name
                case let (prefix?, nil): prefix
                case let (nil, name): name ?? label
                }
                parts.append(DocumentPart(
                    start: base + inner.start, end: base + inner.end, page: inner.page, label: innerLabel, isOCR: inner.isOCR))
            }
        }
    }

    func build(format: DocumentFormat, extractor: String, pageCount: Int? = nil, problems: [String] = []) -> ExtractedDocument {
        var copy = self
        copy.endPart()
        return ExtractedDocument(
            format: format, extractor: extractor, text: copy.text, parts: copy.parts, pageCount: pageCount, problems: problems)
    }

    var isEmpty: Bool { byteCount == 0 }

    private mutating func block(_ body: String) throws(ExtractionFailure) {
        let separator = byteCount == 0 ? "" : "\n\n"
        // A part starts at its first block, not at the separator before it.
        try reserve(separator.utf8.count + body.utf8.count)
        text += separator
        byteCount += separator.utf8.count
        if let part = openPart, !part.hasText {
            openPart?.start = byteCount
            openPart?.hasText = true
        }
        text += body
        byteCount += body.utf8.count
    }

    private func reserve(_ count: Int) throws(ExtractionFailure) {
        if byteCount + count > maxTextBytes {
            throw ExtractionFailure(
                .limitExceeded, "the extracted text would exceed \(maxTextBytes) bytes (maxTextBytes); the document is too large to index")
        }
    }

    /// Unicode's White_Space, answered without the property table for ASCII: the table lookup was
    /// the largest cost of reading a PDF's text (a quarter of it, on the SQuAD PDFs).
    @inline(__always)
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x80 ? scalar.value == 0x20 || (0x09...0x0D).contains(scalar.value) : scalar.properties.isWhitespace
    }

    /// Whitespace runs (including non-breaking spaces and tabs) to one space, trimmed; newlines too.
    static func oneLine<S: StringProtocol>(_ text: S) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if isWhitespace(scalar) {
                pendingSpace = !out.isEmpty
            } else if scalar.value < 0x20 || scalar == "\u{FEFF}" || (0x7F...0x9F).contains(scalar.value) {
                continue
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
