/// The document's title, made its top heading when its own headings do not already start with it.
///
/// A passage is found by its heading path as much as by its words: "the Garden Row lease" names the
/// document, not the page that says when the lease ends. A Markdown file's `# Title` heads every
/// section; a PDF's first heading often does not say as much: the lease's is "Residential Lease",
/// while its running header, on every page, reads "12 Garden Row - Residential Lease". So the title
/// is the metadata title where the author set one, else the running header at the top of the pages,
/// and it becomes the heading above the PDF's own, kept once rather than once per page.
extension PDFExtractor {
    /// The title to put above the document's headings, or nil when there is none or the first heading
    /// already says it.
    static func documentTitle(metadata: String?, runningHeader: String?, firstHeading: String?, fileName: String? = nil) -> String? {
        guard let title = meaningfulTitle(metadata, fileName: fileName) ?? runningHeader else { return nil }
        if let firstHeading, comparable(firstHeading) == comparable(title) { return nil }
        return title
    }

    /// A metadata title worth showing: not empty, not a placeholder a generator writes when the author
    /// set none ("untitled", "anonymous"), not a file name ("Microsoft Word - lease.docx", "draft.tex"),
    /// nor the document's own file name without its extension (what scanners and image-to-PDF tools write,
    /// "scan_0042" in scan_0042.pdf).
    static func meaningfulTitle(_ raw: String?, fileName: String? = nil) -> String? {
        guard let raw else { return nil }
        let title = DocumentBuilder.oneLine(raw)
        let lowered = title.lowercased()
        guard title.contains(where: \.isLetter), title.count <= 200 else { return nil }
        let placeholders: Set<String> = ["untitled", "untitled document", "unknown", "anonymous", "title", "document", "none", "no title"]
        if placeholders.contains(lowered) { return nil }
        if lowered.hasPrefix("microsoft ") && lowered.contains(" - ") { return nil }
        let fileExtensions = [".pdf", ".doc", ".docx", ".odt", ".rtf", ".txt", ".tex", ".dvi", ".ps", ".indd", ".ppt", ".pptx", ".xls", ".xlsx", ".html", ".htm"]
        if fileExtensions.contains(where: lowered.hasSuffix) { return nil }
        if let fileName {
            let stem = fileName.split(separator: "/").last.map { name in name.lastIndex(of: ".").map { name[..<$0] } ?? name } ?? ""
            if comparable(String(stem)) == comparable(title) { return nil }
        }
        return title
    }

    /// The running header: of the lines repeated at the top of the pages (``PageFurniture``), the one
    /// on the most pages, as its first page has it; never a page number or a line without a letter.
    static func runningHeader(_ pages: [[String]], furniture: PageFurniture) -> String? {
        guard !furniture.isEmpty else { return nil }
        var counts: [Int: (count: Int, first: Int, line: String)] = [:]
        for (index, lines) in pages.enumerated() {
            let top = lines.filter { !$0.isEmpty }.prefix(2)
            for line in top where line.contains(where: \.isLetter) && !isPageNumber(line) {
                guard let key = furniture.match(line) else { continue }
                if let seen = counts[key] {
                    if seen.first != index { counts[key]?.count += 1 }
                } else {
                    counts[key] = (1, index, line)
                }
                break
            }
        }
        return counts.values.max { $0.count < $1.count || ($0.count == $1.count && $0.first > $1.first) }?.line
    }

    /// The text of the document's first heading (a heading wrapped over lines set alike is one).
    static func firstHeading(_ pages: [[(line: String, style: LineStyle?)]], levels: [Double: Int]) -> String? {
        var heading: [String] = []
        var size: Double?
        for page in pages {
            for (line, style) in page where !line.isEmpty {
                if let style, levels[style.fontSize] != nil, size == nil || size == style.fontSize {
                    heading.append(line)
                    size = style.fontSize
                } else if size != nil {
                    return heading.joined(separator: " ")
                }
            }
        }
        return size == nil ? nil : heading.joined(separator: " ")
    }

    /// Words only, lowercased: "Residential Lease" and "RESIDENTIAL  LEASE" are one title.
    private static func comparable(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: " ")
    }
}
