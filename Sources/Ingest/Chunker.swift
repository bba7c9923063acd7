import Extract
public import Storage

/// Cuts a document into chunks for embedding and search.
///
/// The document is first cut at headings and blank lines (``DocumentBlocks``). A paragraph is a chunk
/// of its own unless it is small: consecutive blocks of one section are merged while the chunk so far
/// costs under `minimumTokens`, up to `targetTokens`, never across a heading (a heading directly followed by
/// its first subheading is the one exception: it stays with it rather than standing alone). A block
/// over the budget is split by ``ParagraphSplitter`` with `overlapTokens` of overlap. No chunk costs
/// more than `maxTokens − 2` by the counter together with the heading path the encoder sees before it
/// (``PassageContext``): the encoder adds [CLS] and [SEP], and cuts whatever is longer off the end of
/// the passage, i.e. off its text. (A heading path that costs over half the window is the exception:
/// its chunks keep half the window for their text, and the encoder cuts the rest.) And none is longer than
/// `maxBytes`, whatever the counter says: a WordPiece tokenizer counts a 19 MB run without spaces as
/// one [UNK], which would otherwise be one 19 MB chunk, stored, embedded and returned whole.
///
/// Every chunk's text is exactly the document's text between its offsets, trimmed of leading and
/// trailing whitespace lines, so a citation can be checked against the file byte for byte.
public struct Chunker: Sendable {
    public let maxTokens: Int
    public let targetTokens: Int
    public let overlapTokens: Int
    /// A chunk this small takes the next block of its section in. Whole paragraphs are found by
    /// meaning better than pairs of them (SQuAD, docs/EVALUATION.md: merging paragraphs up to the
    /// target cost dense R@5 0.011); headings, list items and one-line paragraphs still merge.
    public let minimumTokens: Int
    public let counter: any TokenCounting
    /// The hard cap on a chunk's UTF-8 bytes (about 24 a token: far above real text, where a
    /// WordPiece token averages under 5 bytes and CJK takes 3 a token).
    public let maxBytes: Int

    /// Tokens a passage may cost: the model's input length less [CLS] and [SEP].
    private var budget: Int { max(1, maxTokens - 2) }
    private var target: Int { max(1, min(targetTokens, budget)) }
    private var overlap: Int { max(0, min(overlapTokens, target / 2)) }

    /// Tokens the text of a chunk under `section` may cost: the budget less its heading path, as
    /// the encoder will see it before the text, and never under half the budget.
    func textBudget(section: [String]) -> Int {
        guard let path = Chunker.headingPath(section) else { return budget }
        let context = PassageContext.text("", section: path)
        return max(max(1, budget / 2), budget - counter.tokenCount(context[...]))
    }

    public init(
        maxTokens: Int = 256, targetTokens: Int = 200, overlapTokens: Int = 32, minimumTokens: Int = 64,
        counter: any TokenCounting = WordPieceEstimate()
    ) {
        self.maxTokens = maxTokens
        self.targetTokens = targetTokens
        self.overlapTokens = overlapTokens
        self.minimumTokens = minimumTokens
        self.counter = counter
        maxBytes = max(1024, maxTokens * 24)
    }

    public func chunks(of document: ExtractedText) -> [Chunk] {
        let text = document.text
        let bytes = Array(text.utf8)
        let ranges: [(start: Int, end: Int, section: [String])] = bytes.withUnsafeBufferPointer { utf8 in
            let count: (Int, Int) -> Int = { start, end in
                counter.tokenCount(Chunker.substring(text, start, end))
            }
            let blocks = DocumentBlocks(utf8: utf8, kind: document.kind).blocks
            var budgets: [[String]: Int] = [:]
            for block in blocks where budgets[block.section] == nil { budgets[block.section] = textBudget(section: block.section) }
            let textBudgets = budgets
            let limit = { (section: [String]) in textBudgets[section] ?? budget }
            let parts = document.parts
            let merged = merge(blocks, utf8: utf8, count: count, limit: limit) { first, second in
                let one = Chunker.part(containing: first, in: parts), other = Chunker.part(containing: second, in: parts)
                let pages = (one?.page, other?.page)
                return one?.label == other?.label && (pages.0 == nil || pages.1 == nil || pages.0 == pages.1)
            }
            return merged.flatMap { range in
                enforceBudget(utf8, start: range.start, end: range.end, limit: limit(range.section), count: count)
                    .map { ($0.start, $0.end, range.section) }
            }
        }
        guard !ranges.isEmpty else { return [] }

        var offsets = ranges.flatMap { [$0.start, $0.end] }
        offsets.sort()
        let fileOffsets = document.fileOffsets(forUTF8Offsets: offsets)
        var fileOffsetOf: [Int: Int] = [:]
        for (index, offset) in offsets.enumerated() { fileOffsetOf[offset] = fileOffsets[index] }

        var newlines: [Int] = []
        for (index, byte) in bytes.enumerated() where byte == 0x0A { newlines.append(index) }
        /// 1-based line of the byte at `offset`: one more than the newlines before it.
        func line(_ offset: Int) -> Int {
            var low = 0
            var high = newlines.count
            while low < high {
                let middle = (low + high) / 2
                if newlines[middle] < offset { low = middle + 1 } else { high = middle }
            }
            return low + 1
        }

        return ranges.enumerated().map { ordinal, range in
            var chunk = Chunk(
                ordinal: ordinal,
                text: String(Chunker.substring(text, range.start, range.end)),
                section: Chunker.headingPath(range.section),
                byteStart: fileOffsetOf[range.start] ?? range.start,
                byteEnd: fileOffsetOf[range.end] ?? range.end,
                lineStart: line(range.start),
                lineEnd: line(max(range.start, range.end - 1))
            )
            Chunker.locate(&chunk, start: range.start, end: range.end, in: document.parts)
            return chunk
        }
    }

    /// A chunk's `section`: its headings joined, "Lease > Term"; nil without any.
    static func headingPath(_ section: [String]) -> String? {
        section.isEmpty ? nil : section.joined(separator: " > ")
    }

    // MARK: - Locators

    /// The part holding the byte at `offset`, if any (parts are ascending and do not overlap).
    static func part(containing offset: Int, in parts: [DocumentPart]) -> DocumentPart? {
        var low = 0
        var high = parts.count
        while low < high {
            let middle = (low + high) / 2
            if parts[middle].end <= offset { low = middle + 1 } else { high = middle }
        }
        guard low < parts.count, parts[low].start <= offset else { return nil }
        return parts[low]
    }

    /// Page, last page, part label and OCR flag from the parts the range overlaps.
    static func locate(_ chunk: inout Chunk, start: Int, end: Int, in parts: [DocumentPart]) {
        let overlapping = parts.filter { $0.start < end && $0.end > start }
        guard let first = overlapping.first else { return }
        let pages = overlapping.compactMap(\.page)
        chunk.page = pages.first
        if let last = pages.last, let page = chunk.page, last > page { chunk.pageEnd = last }
        chunk.part = first.label ?? overlapping.lazy.compactMap(\.label).first
        chunk.isOCR = overlapping.contains(where: \.isOCR)
    }

    // MARK: - Merging

    /// `samePart` says whether a block may join the group before it (the offsets of the group's last
    /// byte and of the block): same label, and not two different pages.
    /// A chunk never joins two messages, two sheets or two pages, so a hit's page is the page its words
    /// are on (a title line outside every part may join its first page). A chunk spans pages only
    /// where one block does. `limit` is the text budget of a section (``textBudget(section:)``).
    private func merge(
        _ blocks: [DocumentBlocks.Block], utf8: UnsafeBufferPointer<UInt8>, count: @escaping (Int, Int) -> Int,
        limit: ([String]) -> Int, samePart: (Int, Int) -> Bool
    ) -> [(start: Int, end: Int, section: [String])] {
        var result: [(start: Int, end: Int, section: [String])] = []
        var group: (start: Int, end: Int, section: [String], sectionNumber: Int, onlyHeadings: Bool)?

        func flush() {
            if let finished = group { result.append((finished.start, finished.end, finished.section)) }
            group = nil
        }

        // A paragraph too big for one chunk is cut into pieces as big as the window allows: the first
        // piece then holds what an encoder would see of the whole paragraph (measured on SQuAD, smaller
        // pieces were found less often by meaning; docs/EVALUATION.md).
        for block in blocks {
            let blockLimit = limit(block.section)
            if let current = group, joins(block, current), samePart(max(current.start, current.end - 1), block.start),
                count(current.start, current.end) < minimumTokens,
                count(current.start, block.end) <= min(target, blockLimit)
            {
                group = (current.start, block.end, block.section, block.sectionNumber, current.onlyHeadings && block.isHeading)
                continue
            }
            flush()
            if count(block.start, block.end) > blockLimit {
                let splitter = ParagraphSplitter(target: blockLimit, overlap: min(overlap, blockLimit / 2), count: count)
                for piece in splitter.split(utf8, start: block.start, end: block.end) {
                    result.append((piece.start, piece.end, block.section))
                }
            } else {
                group = (block.start, block.end, block.section, block.sectionNumber, block.isHeading)
            }
        }
        flush()
        return result
    }

    /// A block joins the group in the same section; a heading joins only a group of bare headings
    /// above it ("# Lease" directly followed by "## Term").
    private func joins(
        _ block: DocumentBlocks.Block,
        _ group: (start: Int, end: Int, section: [String], sectionNumber: Int, onlyHeadings: Bool)
    ) -> Bool {
        if block.isHeading {
            return group.onlyHeadings && block.section.count > group.section.count
                && Array(block.section.prefix(group.section.count)) == group.section
        }
        return block.sectionNumber == group.sectionNumber
    }

    // MARK: - Budget

    /// The guarantee, whatever the counter: a range still over its `limit` is halved at the whitespace
    /// nearest its middle (or at a character boundary) until every part fits.
    private func enforceBudget(
        _ utf8: UnsafeBufferPointer<UInt8>, start: Int, end: Int, limit: Int, count: (Int, Int) -> Int
    ) -> [(start: Int, end: Int)] {
        guard start < end else { return [] }
        // Bytes first: a range over the byte cap is cut without being tokenized.
        if end - start <= maxBytes, count(start, end) <= limit { return [(start, end)] }
        var cut = start + (end - start) / 2
        while cut > start && utf8[cut] & 0xC0 == 0x80 { cut -= 1 }
        // The nearest whitespace, looked for within a window only: a long run without any is cut
        // at a character boundary rather than scanned end to end at every halving.
        var left = cut
        let floor = max(start, cut - maxBytes / 2)
        while left > floor && !ParagraphSplitter.isSpaceByte(utf8[left - 1]) { left -= 1 }
        if left > start && (left > floor || ParagraphSplitter.isSpaceByte(utf8[left - 1])) { cut = left }
        guard cut > start else {
            // A single character: nothing left to cut.
            let second = start + ExtractedText.scalarLength(leadByte: utf8[start])
            if second >= end { return [(start, end)] }
            return [(start, second)] + enforceBudget(utf8, start: second, end: end, limit: limit, count: count)
        }
        var leftEnd = cut
        while leftEnd > start && ParagraphSplitter.isSpaceByte(utf8[leftEnd - 1]) { leftEnd -= 1 }
        var rightStart = cut
        while rightStart < end && ParagraphSplitter.isSpaceByte(utf8[rightStart]) { rightStart += 1 }
        return enforceBudget(utf8, start: start, end: leftEnd, limit: limit, count: count)
            + enforceBudget(utf8, start: rightStart, end: end, limit: limit, count: count)
    }

    /// The text between two UTF-8 offsets, which always fall on character boundaries here.
    static func substring(_ text: String, _ start: Int, _ end: Int) -> Substring {
        let utf8 = text.utf8
        let from = utf8.index(utf8.startIndex, offsetBy: start)
        let to = utf8.index(from, offsetBy: end - start)
        return text[from..<to]
    }
}
