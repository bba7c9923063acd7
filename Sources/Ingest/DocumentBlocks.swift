/// A document cut into its natural blocks: headings, paragraphs (runs of non-blank lines) and fenced
/// code blocks, each with the heading path it sits under. The chunker merges and splits these.
struct DocumentBlocks {
    struct Block: Equatable {
        /// Byte range in the text's UTF-8: from the start of the first line (indentation kept) to the
        /// last non-whitespace byte of the last line.
        var start: Int
        var end: Int
        /// Heading titles from the top level down; the heading's own title for a heading block.
        var section: [String]
        /// Increases at every heading, so two sections with the same title stay apart.
        var sectionNumber: Int
        var isHeading: Bool
    }

    private(set) var blocks: [Block] = []

    private struct Line {
        var start: Int
        /// Exclusive, before "\n".
        var end: Int
        /// Exclusive, after the last non-whitespace byte.
        var contentEnd: Int
        /// The first non-whitespace byte; equals `contentEnd` for a blank line.
        var contentStart: Int
        var isBlank: Bool { contentStart == contentEnd }
    }

    private let utf8: UnsafeBufferPointer<UInt8>
    private var lines: [Line] = []
    private var headings: [(level: Int, title: String)] = []
    private var sectionNumber = 0
    /// RST has no fixed heading levels: the order in which adornment styles first appear decides.
    private var rstStyles: [String] = []

    init(utf8: UnsafeBufferPointer<UInt8>, kind: FileKind) {
        self.utf8 = utf8
        lines = DocumentBlocks.splitLines(utf8)
        switch kind {
        case .markdown: scanMarkdown()
        case .restructuredText: scanRestructuredText()
        case .plainText, .code, .config: scanParagraphs()
        }
    }

    // MARK: - Lines

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0C || byte == 0x0B
    }

    private static func splitLines(_ utf8: UnsafeBufferPointer<UInt8>) -> [Line] {
        var lines: [Line] = []
        var start = 0
        while start <= utf8.count {
            var end = start
            while end < utf8.count && utf8[end] != 0x0A { end += 1 }
            var contentStart = start
            while contentStart < end && isSpace(utf8[contentStart]) { contentStart += 1 }
            var contentEnd = end
            while contentEnd > contentStart && isSpace(utf8[contentEnd - 1]) { contentEnd -= 1 }
            lines.append(Line(start: start, end: end, contentEnd: contentEnd, contentStart: contentStart))
            start = end + 1
        }
        return lines
    }

    private func text(of line: Line) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: utf8[line.contentStart..<line.contentEnd]), as: UTF8.self)
    }

    // MARK: - Blocks

    private mutating func appendBlock(lines first: Int, through last: Int, isHeading: Bool = false) {
        blocks.append(Block(
            start: lines[first].start,
            end: lines[last].contentEnd,
            section: headings.map(\.title),
            sectionNumber: sectionNumber,
            isHeading: isHeading
        ))
    }

    private mutating func enterHeading(level: Int, title: String) {
        while let last = headings.last, last.level >= level { headings.removeLast() }
        headings.append((level, title))
        sectionNumber += 1
    }

    private mutating func scanParagraphs() {
        var paragraphStart: Int?
        for index in lines.indices {
            if lines[index].isBlank {
                if let first = paragraphStart { appendBlock(lines: first, through: index - 1) }
                paragraphStart = nil
            } else if paragraphStart == nil {
                paragraphStart = index
            }
        }
        if let first = paragraphStart { appendBlock(lines: first, through: lines.count - 1) }
    }

    // MARK: - Markdown

    private mutating func scanMarkdown() {
        var paragraphStart: Int?
        var fence: (byte: UInt8, length: Int, startLine: Int)?
        var index = 0

        func flush(_ this: inout DocumentBlocks, before line: Int) {
            if let first = paragraphStart { this.appendBlock(lines: first, through: line - 1) }
            paragraphStart = nil
        }

        while index < lines.count {
            let line = lines[index]
            defer { index += 1 }
            if let open = fence {
                if let close = fenceMarker(line), close.byte == open.byte, close.length >= open.length,
                    line.contentEnd == line.contentStart + close.length
                {
                    appendBlock(lines: open.startLine, through: index)
                    fence = nil
                }
                continue
            }
            if line.isBlank {
                flush(&self, before: index)
                continue
            }
            if let marker = fenceMarker(line), line.contentStart - line.start <= 3 {
                flush(&self, before: index)
                fence = (marker.byte, marker.length, index)
                continue
            }
            if let (level, title) = atxHeading(line) {
                flush(&self, before: index)
                enterHeading(level: level, title: title)
                appendBlock(lines: index, through: index, isHeading: true)
                continue
            }
            if let first = paragraphStart, first == index - 1, let level = setextLevel(line) {
                paragraphStart = nil
                enterHeading(level: level, title: text(of: lines[first]))
                appendBlock(lines: first, through: index, isHeading: true)
                continue
            }
            if paragraphStart == nil { paragraphStart = index }
        }
        if let open = fence {
            appendBlock(lines: open.startLine, through: lastNonBlankLine(from: open.startLine))
        } else {
            flush(&self, before: lines.count)
        }
    }

    private func lastNonBlankLine(from first: Int) -> Int {
        var last = lines.count - 1
        while last > first && lines[last].isBlank { last -= 1 }
        return last
    }

    /// "```" or "~~~" (three or more) at the start of the content.
    private func fenceMarker(_ line: Line) -> (byte: UInt8, length: Int)? {
        guard line.contentStart < line.contentEnd else { return nil }
        let byte = utf8[line.contentStart]
        guard byte == UInt8(ascii: "`") || byte == UInt8(ascii: "~") else { return nil }
        var length = 0
        while line.contentStart + length < line.contentEnd && utf8[line.contentStart + length] == byte { length += 1 }
        return length >= 3 ? (byte, length) : nil
    }

    /// "# Title", up to three spaces of indentation, closing hashes dropped.
    private func atxHeading(_ line: Line) -> (Int, String)? {
        guard line.contentStart - line.start <= 3 else { return nil }
        var cursor = line.contentStart
        while cursor < line.contentEnd && utf8[cursor] == UInt8(ascii: "#") { cursor += 1 }
        let level = cursor - line.contentStart
        guard (1...6).contains(level) else { return nil }
        guard cursor == line.contentEnd || utf8[cursor] == 0x20 || utf8[cursor] == 0x09 else { return nil }
        var titleEnd = line.contentEnd
        while titleEnd > cursor && utf8[titleEnd - 1] == UInt8(ascii: "#") { titleEnd -= 1 }
        // Closing hashes count only after a space ("# C#" keeps its hash).
        if titleEnd < line.contentEnd && titleEnd > cursor && !DocumentBlocks.isSpace(utf8[titleEnd - 1]) {
            titleEnd = line.contentEnd
        }
        while cursor < titleEnd && DocumentBlocks.isSpace(utf8[cursor]) { cursor += 1 }
        while titleEnd > cursor && DocumentBlocks.isSpace(utf8[titleEnd - 1]) { titleEnd -= 1 }
        return (level, String(decoding: UnsafeBufferPointer(rebasing: utf8[cursor..<titleEnd]), as: UTF8.self))
    }

    /// "===" under a one-line paragraph is level 1, "---" level 2.
    private func setextLevel(_ line: Line) -> Int? {
        guard line.contentStart - line.start <= 3, let run = uniformRun(line), run.length >= 2 else { return nil }
        switch run.byte {
        case UInt8(ascii: "="): return 1
        case UInt8(ascii: "-"): return 2
        default: return nil
        }
    }

    /// The line's content when it is one character repeated.
    private func uniformRun(_ line: Line) -> (byte: UInt8, length: Int)? {
        guard line.contentStart < line.contentEnd else { return nil }
        let byte = utf8[line.contentStart]
        for position in line.contentStart..<line.contentEnd where utf8[position] != byte { return nil }
        return (byte, line.contentEnd - line.contentStart)
    }

    // MARK: - reStructuredText

    private static let rstAdornments = Set("=-`:'\"~^_*+#<>.!$%&(),/;?@[\\]{|}".utf8)

    private func adornment(_ line: Line) -> (byte: UInt8, length: Int)? {
        guard line.contentStart == line.start, let run = uniformRun(line), run.length >= 2,
            DocumentBlocks.rstAdornments.contains(run.byte)
        else { return nil }
        return run
    }

    private func titleWidth(_ line: Line) -> Int {
        String(decoding: UnsafeBufferPointer(rebasing: utf8[line.contentStart..<line.contentEnd]), as: UTF8.self).count
    }

    private mutating func enterRSTHeading(style: String, title: String) {
        if !rstStyles.contains(style) { rstStyles.append(style) }
        enterHeading(level: (rstStyles.firstIndex(of: style) ?? rstStyles.count) + 1, title: title)
    }

    private mutating func scanRestructuredText() {
        var paragraphStart: Int?
        var index = 0
        while index < lines.count {
            let line = lines[index]
            if line.isBlank {
                if let first = paragraphStart { appendBlock(lines: first, through: index - 1) }
                paragraphStart = nil
                index += 1
                continue
            }
            // Overline, title, underline.
            if paragraphStart == nil, let over = adornment(line), index + 2 < lines.count,
                !lines[index + 1].isBlank, adornment(lines[index + 1]) == nil,
                let under = adornment(lines[index + 2]), under.byte == over.byte,
                over.length >= titleWidth(lines[index + 1])
            {
                enterRSTHeading(style: "over" + String(UnicodeScalar(over.byte)), title: text(of: lines[index + 1]))
                appendBlock(lines: index, through: index + 2, isHeading: true)
                index += 3
                continue
            }
            // Title, underline at least as long.
            if let first = paragraphStart, first == index - 1, let under = adornment(line),
                under.length >= titleWidth(lines[first])
            {
                paragraphStart = nil
                enterRSTHeading(style: "under" + String(UnicodeScalar(under.byte)), title: text(of: lines[first]))
                appendBlock(lines: first, through: index, isHeading: true)
                index += 1
                continue
            }
            if paragraphStart == nil { paragraphStart = index }
            index += 1
        }
        if let first = paragraphStart { appendBlock(lines: first, through: lines.count - 1) }
    }
}
