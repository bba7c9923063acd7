import CPoppler

/// What the text layer says of each line besides its words: its font size and where it stands on
/// the page. Poppler's plain text has neither headings nor paragraph breaks (a paragraph is lines
/// one after the other, like a heading and its first line), so the extractor finds them here: a line
/// set larger than the body text is a heading, and a gap above a line wider than the page's usual
/// line spacing starts a paragraph.
extension PDFExtractor {
    /// A line's font size (the size most of its characters have) and its top and bottom (points,
    /// from the top of the page).
    struct LineStyle: Equatable {
        var fontSize: Double
        var top: Double
        var bottom: Double
    }

    /// What the page's lines become: headings and paragraphs.
    enum Block: Equatable {
        case heading(String, level: Int)
        case paragraph(String)
    }

    /// The style of each line of `text` (split at "\n"), or nil when poppler's layout does not
    /// match the text character for character.
    static func lineStyles(page: OpaquePointer, text: String) -> [LineStyle?]? {
        var rectangles: UnsafeMutablePointer<PopplerRectangle>?
        var count: guint = 0
        guard poppler_page_get_text_layout(page, &rectangles, &count) != 0, let rectangles else { return nil }
        defer { g_free(rectangles) }
        let scalars = Array(text.unicodeScalars)
        guard Int(count) == scalars.count else { return nil }
        // Font sizes by character offset, from the attribute runs.
        var sizes = [Double](repeating: 0, count: scalars.count)
        if let list = poppler_page_get_text_attributes(page) {
            defer { poppler_page_free_text_attributes(list) }
            var node: UnsafeMutablePointer<GList>? = list
            while let current = node {
                if let raw = current.pointee.data {
                    let run = raw.assumingMemoryBound(to: PopplerTextAttributes.self).pointee
                    let lower = max(0, Int(run.start_index)), upper = min(scalars.count - 1, Int(run.end_index))
                    if lower <= upper { for i in lower...upper { sizes[i] = run.font_size } }
                }
                node = current.pointee.next
            }
        }
        var styles: [LineStyle?] = []
        var sizeCounts: [Double: Int] = [:]
        var top = Double.infinity, bottom = -Double.infinity
        func endLine() {
            let size = sizeCounts.max { $0.value < $1.value || ($0.value == $1.value && $0.key < $1.key) }?.key
            styles.append(size.map { LineStyle(fontSize: $0, top: top, bottom: bottom) })
            sizeCounts = [:]
            top = .infinity
            bottom = -.infinity
        }
        for (i, scalar) in scalars.enumerated() {
            if scalar == "\n" {
                endLine()
                continue
            }
            guard !DocumentBuilder.isWhitespace(scalar), sizes[i] > 0 else { continue }
            sizeCounts[(sizes[i] * 2).rounded() / 2, default: 0] += 1
            let r = rectangles[i]
            top = min(top, min(r.y1, r.y2))
            bottom = max(bottom, max(r.y1, r.y2))
        }
        endLine()
        return styles
    }

    /// The document's body text size: the size most characters are set in.
    static func bodySize(_ pages: [[(line: String, style: LineStyle?)]]) -> Double? {
        var weights: [Double: Int] = [:]
        for page in pages {
            for (line, style) in page { if let style { weights[style.fontSize, default: 0] += line.count } }
        }
        return weights.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key
    }

    /// Heading levels by font size: sizes at least 15 % above the body's, largest first (levels 1
    /// to 3), each set in under a fifth of the document's characters (a document set mostly large
    /// has no headings by size).
    static func headingLevels(_ pages: [[(line: String, style: LineStyle?)]], body: Double) -> [Double: Int] {
        var weights: [Double: Int] = [:]
        var total = 0
        for page in pages {
            for (line, style) in page {
                guard let style else { continue }
                total += line.count
                if style.fontSize >= body * 1.15 { weights[style.fontSize, default: 0] += line.count }
            }
        }
        let sizes = weights.filter { $0.value * 5 < total }.keys.sorted(by: >)
        var levels: [Double: Int] = [:]
        for (rank, size) in sizes.enumerated() { levels[size] = min(rank + 1, 3) }
        return levels
    }

    /// The usual gap between two lines of body text that follow each other down a page (within a
    /// paragraph).
    static func lineGap(_ pages: [[(line: String, style: LineStyle?)]], body: Double) -> Double? {
        var gaps: [Double] = []
        for page in pages {
            var previous: LineStyle?
            for (line, style) in page where !line.isEmpty {
                if let style, let p = previous, style.fontSize == body, p.fontSize == body, style.top >= p.bottom - 1 {
                    gaps.append(style.top - p.bottom)
                }
                previous = style
            }
        }
        guard !gaps.isEmpty else { return nil }
        // The lower quartile, not the median: in a document of short paragraphs (a lease, a letter)
        // half the gaps are between paragraphs, and the median would take one of those for the
        // usual spacing and find no paragraph breaks at all.
        return gaps.sorted()[gaps.count / 4]
    }

    /// A page's lines as headings and paragraphs: a heading where the font says so (a heading wrapped
    /// over two lines stays one), a paragraph break at blank lines and where the gap above a line is
    /// wider than the usual gap by over 40 % of the body size; lines within a paragraph are joined as
    /// `paragraphs` joins them.
    static func blocks(
        _ lines: [(line: String, style: LineStyle?)], body: Double?, levels: [Double: Int], gap: Double?
    ) -> [Block] {
        var blocks: [Block] = []
        var current: [String] = []
        var previous: LineStyle?
        var previousWasHeading = false
        func flush() {
            blocks += paragraphs(current).map { Block.paragraph($0) }
            current = []
        }
        for (line, style) in lines {
            guard !line.isEmpty else {
                current.append("")
                continue
            }
            if let style, let level = levels[style.fontSize], line.count <= 200 {
                flush()
                if previousWasHeading, case .heading(let title, let last)? = blocks.last, last == level {
                    blocks[blocks.count - 1] = .heading(title + " " + line, level: level)
                } else {
                    blocks.append(.heading(line, level: level))
                }
                previousWasHeading = true
                previous = style
                continue
            }
            if let style, let p = previous, let body, let gap, style.top >= p.bottom - 1,
                style.top - p.bottom > gap + 0.4 * body {
                current.append("")
            }
            current.append(line)
            previousWasHeading = false
            previous = style
        }
        flush()
        return blocks
    }

    /// A line that is only a page number: "7", "- 7 -", "Page 7", "Page 7 of 12", "7 / 12".
    static func isPageNumber(_ line: String) -> Bool {
        let words = line.lowercased().split(whereSeparator: { $0 == " " || $0 == "-" || $0 == "–" || $0 == "/" })
            .filter { $0.contains { $0.isLetter || $0.isNumber } }  // "Page 3 ." as OCR may read it
        guard let last = words.last, last.allSatisfy(\.isNumber) else { return false }
        switch words.count {
        case 1: return true
        case 2: return ["page", "p.", "seite", "page:"].contains(words[0]) || words[0].allSatisfy(\.isNumber)
        case 3: return words[0].allSatisfy(\.isNumber) && words[1] == "of"
        case 4: return words[0] == "page" && words[1].allSatisfy(\.isNumber) && words[2] == "of"
        default: return false
        }
    }
}
