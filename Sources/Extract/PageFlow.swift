/// Pages into a document's parts, one after the other, as a reader follows them: page numbers at the
/// top or bottom of a page dropped, running headers and footers (``PageFurniture``) kept once, out of
/// the flow of the text (after a paragraph carried over from the page before), and a paragraph a page
/// ends mid-sentence going on with the next page's first (one block over the break, its chunk spanning
/// both pages; a word hyphenated over it joined). A PDF's pages, text layer or recognised, and a
/// multi-page TIFF's recognised pages go this way alike.
struct PageFlow {
    let furniture: PageFurniture
    /// Headings by font size, where the lines have styles (a PDF's text layer).
    var body: Double?
    var levels: [Double: Int] = [:]
    var gap: Double?
    /// The document's title, written as the top heading of the first page added.
    private var pendingTitle: String?
    /// The repeated lines already kept once.
    private var seen: Set<Int> = []
    /// The last block written, when it is a paragraph: the next page's first paragraph may go on with it.
    private var openParagraph: String?

    /// `title`, when it is the running header `header`, stands for it: the header is not kept again.
    init(furniture: PageFurniture, title: String? = nil, header: String? = nil) {
        self.furniture = furniture
        pendingTitle = title
        if let title, let header, title == header, let kept = furniture.match(header) { seen.insert(kept) }
    }

    /// A page that adds nothing (unreadable, or waiting for OCR): no paragraph goes on over it.
    mutating func skip() {
        openParagraph = nil
    }

    /// Adds a page's lines (with their styles, where known) as a part of `builder`.
    mutating func add(
        page: Int?, lines: [(line: String, style: PDFExtractor.LineStyle?)], isOCR: Bool, to builder: inout DocumentBuilder
    ) throws(ExtractionFailure) {
        let nonEmpty = lines.map(\.line).filter { !$0.isEmpty }
        let top = Set(nonEmpty.prefix(2)), bottom = Set(nonEmpty.suffix(2))
        var kept: [(line: String, style: PDFExtractor.LineStyle?)] = []
        var pageFurniture: [String] = []
        for (line, style) in lines {
            let atEdge = top.contains(line) || bottom.contains(line)
            if atEdge, PDFExtractor.isPageNumber(line) { continue }
            if atEdge, !line.isEmpty, let repeated = furniture.match(line) {
                if seen.insert(repeated).inserted { pageFurniture.append(line) }
                continue
            }
            kept.append((line, style))
        }
        builder.beginPart(page: page, isOCR: isOCR)
        if let title = pendingTitle { try builder.heading(title, level: 1) }
        pendingTitle = nil
        var pageBlocks = PDFExtractor.blocks(kept, body: body, levels: levels, gap: gap)[...]
        var carried: String?
        if let previous = openParagraph, case .paragraph(let first)? = pageBlocks.first,
            PDFExtractor.continuesParagraph(previous, first) {
            try builder.continueParagraph(first, joiningHyphen: PDFExtractor.joinsHyphenated(previous, first))
            pageBlocks = pageBlocks.dropFirst()
            carried = first
        }
        if !pageFurniture.isEmpty { try builder.paragraph(pageFurniture.joined(separator: "\n")) }
        for block in pageBlocks {
            switch block {
            case .heading(let title, let level): try builder.heading(title, level: level)
            case .paragraph(let paragraph): try builder.paragraph(paragraph)
            }
        }
        switch pageBlocks.last {
        case .paragraph(let paragraph)?: openParagraph = paragraph
        case .heading?: openParagraph = nil
        case nil: openParagraph = pageFurniture.isEmpty ? carried : nil
        }
    }
}
