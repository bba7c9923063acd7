import API
import Foundation

/// How a passage is pointed at for a person: `notes.md:41-58` for a text file (its own lines), and for a
/// document read by an extractor the page, slide, sheet or message instead of lines of a text the person
/// never sees: `contract.pdf p. 3`, `pp. 3–4`, `deck.pptx slide 2`, `budget.xlsx › Sheet "March"`,
/// `Inbox.mbox › "Lease renewal" › lease.pdf p. 2`.
struct PassageLocation {
    var path: String
    var lineStart: Int
    var lineEnd: Int
    var locator: TextLocator?
    var page: Int?
    var pageEnd: Int?
    var part: String?
    /// The text was recognised from an image and may hold recognition errors.
    var isOCR = false

    init(_ hit: SearchHit) {
        self.init(
            path: hit.path, lineStart: hit.lineStart, lineEnd: hit.lineEnd, locator: hit.locator, page: hit.page,
            pageEnd: hit.pageEnd, part: hit.part, isOCR: hit.ocr == true)
    }

    init(_ source: AskSource) {
        self.init(
            path: source.path, lineStart: source.lineStart, lineEnd: source.lineEnd, locator: source.locator,
            page: source.page, pageEnd: source.pageEnd, part: source.part, isOCR: source.ocr == true)
    }

    init(
        path: String, lineStart: Int, lineEnd: Int, locator: TextLocator?, page: Int?, pageEnd: Int?, part: String?,
        isOCR: Bool = false
    ) {
        self.path = path
        self.lineStart = lineStart
        self.lineEnd = lineEnd
        self.locator = locator
        self.page = page
        self.pageEnd = pageEnd
        self.part = part
        self.isOCR = isOCR
    }

    /// The location with `path` shown as given (the caller shortens it).
    func describe(displayPath: String) -> String {
        guard locator == .extracted else {
            let lines = lineStart == lineEnd ? "\(lineStart)" : "\(lineStart)-\(lineEnd)"
            return "\(displayPath):\(lines)" + (page.map { " (page \($0))" } ?? "")
        }
        var text = displayPath
        if let part, !part.isEmpty { text += " › " + part }
        if let page { text += " " + pages(page) }
        // Said where the passage is cited: its words may hold recognition errors.
        if isOCR { text += " (OCR)" }
        return text
    }

    /// `file:///home/ana/contract.pdf#page=3`, which PDF viewers open at the page; nil unless the
    /// passage is in a PDF file itself (not an attachment inside a message).
    var link: String? {
        guard locator == .extracted, let page, part == nil, path.lowercased().hasSuffix(".pdf") else { return nil }
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "#?")
        guard let encoded = path.addingPercentEncoding(withAllowedCharacters: allowed) else { return nil }
        return "file://\(encoded)#page=\(page)"
    }

    private func pages(_ first: Int) -> String {
        let lower = path.lowercased()
        if lower.hasSuffix(".pptx") || lower.hasSuffix(".odp") {
            return pageEnd.map { "slides \(first)–\($0)" } ?? "slide \(first)"
        }
        return pageEnd.map { "pp. \(first)–\($0)" } ?? "p. \(first)"
    }
}
