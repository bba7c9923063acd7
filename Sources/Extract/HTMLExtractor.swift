/// HTML and XHTML (web pages, saved portal pages, EPUB chapters, HTML mail) to what a reader sees.
///
/// `<title>` and `h1`–`h6` become `#` headings, block elements paragraphs, list items `- ` lines and
/// table rows lines (`Header: value, …` when the table has a header row, as spreadsheets are read).
/// Everything a browser does not show is dropped: `<script>`, `<style>`, `<template>`, `<noscript>`,
/// comments, and elements hidden by `hidden`, `aria-hidden="true"` or an inline `display:none` /
/// `visibility:hidden` with all they contain — hidden text is a classic carrier of prompt injection.
struct HTMLExtractor {
    /// Elements whose content is never shown.
    static let droppedElements: Set<String> = [
        "script", "style", "template", "noscript", "head", "svg", "math", "canvas", "iframe", "object", "embed",
        "select", "datalist", "map", "audio", "video", "noembed", "noframes", "textarea", "button",
    ]
    static let voidElements: Set<String> = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
        "keygen", "frame", "basefont", "isindex",
    ]
    /// Elements that start a new paragraph.
    static let blockElements: Set<String> = [
        "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog", "dir", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr",
        "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "ul", "caption", "tr", "td", "th",
        "tbody", "thead", "tfoot", "html", "legend", "option", "br",
    ]
    private static let closesParagraph: Set<String> = blockElements.subtracting(["br", "td", "th", "tr", "option", "body", "html"])

    private struct Open {
        var name: String
        var isSuppressed: Bool
    }

    private struct Table {
        var rows: [(cells: [String], isHeader: Bool)] = []
        var row: [String]?
        var rowIsHeader = true
        var cell: String?
    }

    private var stack: [Open] = []
    private var paragraph = ""
    private var headingLevel: Int?
    private var preDepth = 0
    private var listPrefix: String?
    private var tables: [Table] = []
    private var title: String?
    private var inTitle = false
    private let maxDepth: Int

    /// The title (`<title>`, else the first heading) of the page written into `builder`.
    private(set) var documentTitle: String?
    private(set) var firstHeading: String?
    /// Whether `<title>` is written as the first heading (not for EPUB chapters, whose titles
    /// usually repeat the book's).
    private let writesTitle: Bool

    private init(maxDepth: Int, writesTitle: Bool) {
        self.maxDepth = maxDepth
        self.writesTitle = writesTitle
    }

    /// Renders the page `bytes` into `builder`; returns its `<title>` and first heading. `charset` is
    /// the charset a container declared (a MIME part's); the page's own BOM or `<meta>` wins.
    @discardableResult
    static func render(
        _ bytes: [UInt8], charset: String? = nil, writesTitle: Bool = true, into builder: inout DocumentBuilder,
        limits: ExtractionLimits
    ) throws(ExtractionFailure) -> (title: String?, firstHeading: String?) {
        let text = decode(bytes, declared: charset)
        var tokenizer = HTMLTokenizer(Array(text.utf8))
        var extractor = HTMLExtractor(maxDepth: limits.maxNestingDepth, writesTitle: writesTitle)
        while let token = tokenizer.next() {
            try extractor.consume(token, into: &builder)
        }
        try extractor.finish(into: &builder)
        return (extractor.title.map { DocumentBuilder.oneLine($0) }, extractor.firstHeading)
    }

    static func extract(_ bytes: [UInt8], limits: ExtractionLimits) throws(ExtractionFailure) -> ExtractedDocument {
        var builder = DocumentBuilder(limits: limits)
        try render(bytes, into: &builder, limits: limits)
        return builder.build(format: .html, extractor: "html")
    }

    // MARK: - Charset

    /// BOM first, then a `<meta charset>` / http-equiv `content="…; charset=…"` or XML declaration in
    /// the first 4 KB, then the container's word, then UTF-8 if the bytes are valid UTF-8, else windows-1252.
    static func decode(_ bytes: [UInt8], declared: String?) -> String {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return String(decoding: bytes.dropFirst(3), as: UTF8.self) }
        if bytes.starts(with: [0xFE, 0xFF]) { return Charset.decode(bytes.dropFirst(2), charset: "UTF-16BE") }
        if bytes.starts(with: [0xFF, 0xFE]) { return Charset.decode(bytes.dropFirst(2), charset: "UTF-16LE") }
        if let charset = sniffCharset(bytes.prefix(4096)) ?? declared, Charset.isKnown(charset) {
            return Charset.decode(bytes, charset: charset)
        }
        if String(validating: bytes, as: UTF8.self) != nil { return String(decoding: bytes, as: UTF8.self) }
        return Charset.windows1252(bytes)
    }

    static func sniffCharset(_ head: ArraySlice<UInt8>) -> String? {
        let text = String(decoding: head.map(HTMLTokenizer.lower), as: UTF8.self)
        if text.hasPrefix("<?xml"), let declarationEnd = text.range(of: "?>"),
            let value = attributeValue(named: "encoding", in: text[..<declarationEnd.lowerBound]) {
            return value
        }
        var rest = text[...]
        while let meta = rest.range(of: "<meta") {
            let tagEnd = rest[meta.upperBound...].firstIndex(of: ">") ?? rest.endIndex
            let tag = rest[meta.upperBound..<tagEnd]
            if let value = attributeValue(named: "charset", in: tag) { return value }
            rest = rest[tagEnd...]
        }
        return nil
    }

    /// The value after `name=` in a tag or a `content` attribute (`text/html; charset=windows-1252`).
    private static func attributeValue(named name: String, in tag: Substring) -> String? {
        guard let range = tag.range(of: name + "=") ?? tag.range(of: name + " =") else { return nil }
        var value = tag[range.upperBound...].drop(while: { $0 == " " || $0 == "\"" || $0 == "'" })
        value = value.prefix(while: { !" \"';>/?".contains($0) })
        return value.isEmpty ? nil : String(value)
    }

    // MARK: - Tree walk

    private var isSuppressed: Bool { stack.last?.isSuppressed ?? false }

    private mutating func consume(_ token: HTMLToken, into builder: inout DocumentBuilder) throws(ExtractionFailure) {
        switch token {
        case let .text(text):
            if inTitle {
                title = (title ?? "") + text
            } else if !isSuppressed {
                append(preDepth > 0 ? text : Self.spaced(text))
            }
        case let .start(name, attributes, isSelfClosing):
            try start(name, attributes: attributes, isSelfClosing: isSelfClosing, into: &builder)
        case let .end(name):
            if name == "title", inTitle {
                inTitle = false
                return
            }
            guard let index = stack.lastIndex(where: { $0.name == name }) else {
                if name == "br", !isSuppressed { append("\n") }  // `</br>` is a line break in browsers too
                if name == "p", !isSuppressed { try flush(into: &builder) }
                return
            }
            while stack.count > index {
                try close(into: &builder)
            }
        }
    }

    private mutating func start(
        _ name: String, attributes: [String: String], isSelfClosing: Bool, into builder: inout DocumentBuilder
    ) throws(ExtractionFailure) {
        if name == "title", !isSelfClosing, title == nil, tables.isEmpty {
            inTitle = true
            return
        }
        if Self.voidElements.contains(name) {
            guard !isSuppressed else { return }
            if name == "br" { append("\n") }
            if name == "hr" { try flush(into: &builder) }
            return
        }
        // Implicitly closed elements, so unclosed `<p>`, `<li>` and `<td>` do not pile up.
        switch name {
        case "li": try closeSibling(of: ["li"], within: ["ul", "ol", "menu", "dir"], into: &builder)
        case "dt", "dd": try closeSibling(of: ["dt", "dd"], within: ["dl"], into: &builder)
        case "tr": try closeSibling(of: ["tr", "td", "th"], within: ["table"], into: &builder)
        case "td", "th": try closeSibling(of: ["td", "th"], within: ["tr", "table"], into: &builder)
        case "option": try closeSibling(of: ["option"], within: ["select", "datalist"], into: &builder)
        default: break
        }
        if Self.closesParagraph.contains(name), stack.last?.name == "p" { try close(into: &builder) }
        let suppressed = isSuppressed || Self.droppedElements.contains(name) || Self.isHidden(attributes)
        if isSelfClosing && !Self.blockElements.contains(name) { return }  // `<span/>` in XHTML
        stack.append(Open(name: name, isSuppressed: suppressed))
        if stack.count > maxDepth {
            throw ExtractionFailure(
                .limitExceeded, "HTML elements are nested more than \(maxDepth) deep (maxNestingDepth); the page is malformed or hostile")
        }
        guard !suppressed else { return }
        switch name {
        case "h1", "h2", "h3", "h4", "h5", "h6":
            try flush(into: &builder)
            headingLevel = Int(String(name.dropFirst())) ?? 1
        case "li":
            try flush(into: &builder)
            listPrefix = "- "
        case "dd":
            try flush(into: &builder)
            listPrefix = "  "
        case "pre":
            try flush(into: &builder)
            preDepth += 1
        case "table":
            try flush(into: &builder)
            tables.append(Table())
        case "tr":
            if !tables.isEmpty {
                tables[tables.count - 1].row = []
                tables[tables.count - 1].rowIsHeader = true
            }
        case "td", "th":
            if !tables.isEmpty {
                if tables[tables.count - 1].row == nil { tables[tables.count - 1].row = [] }
                tables[tables.count - 1].cell = ""
                if name == "td" { tables[tables.count - 1].rowIsHeader = false }
            }
        default:
            if Self.blockElements.contains(name), tables.last?.cell == nil { try flush(into: &builder) }
        }
        if isSelfClosing { try close(into: &builder) }
    }

    /// Closes an open `names` element up to the nearest `within` element (e.g. the previous `<li>` of
    /// this list, not one of an outer list).
    private mutating func closeSibling(of names: Set<String>, within: Set<String>, into builder: inout DocumentBuilder) throws(ExtractionFailure) {
        guard let index = stack.lastIndex(where: { names.contains($0.name) || within.contains($0.name) }),
            names.contains(stack[index].name) else { return }
        while stack.count > index { try close(into: &builder) }
    }

    private mutating func close(into builder: inout DocumentBuilder) throws(ExtractionFailure) {
        guard let element = stack.popLast() else { return }
        guard !element.isSuppressed else { return }
        switch element.name {
        case "h1", "h2", "h3", "h4", "h5", "h6", "li", "dd", "dt":
            try flush(into: &builder)
        case "pre":
            try flush(into: &builder)
            preDepth = max(0, preDepth - 1)
        case "td", "th":
            guard !tables.isEmpty, let cell = tables[tables.count - 1].cell else { return }
            tables[tables.count - 1].row?.append(DocumentBuilder.oneLine(cell))
            tables[tables.count - 1].cell = nil
        case "tr":
            guard !tables.isEmpty else { return }
            if let cell = tables[tables.count - 1].cell {
                tables[tables.count - 1].row?.append(DocumentBuilder.oneLine(cell))
                tables[tables.count - 1].cell = nil
            }
            if let row = tables[tables.count - 1].row, row.contains(where: { !$0.isEmpty }) {
                tables[tables.count - 1].rows.append((row, tables[tables.count - 1].rowIsHeader))
            }
            tables[tables.count - 1].row = nil
        case "table":
            guard let table = tables.popLast() else { return }
            let lines = Self.lines(of: table)
            if let outer = tables.indices.last, tables[outer].cell != nil {
                tables[outer].cell? += " " + lines.joined(separator: "; ")
            } else {
                try builder.paragraph(lines.joined(separator: "\n"))
            }
        default:
            if Self.blockElements.contains(element.name), tables.last?.cell == nil { try flush(into: &builder) }
        }
    }

    /// Rows as lines: `Header: value, Header: value` under a header row of `th` cells, else cells
    /// joined by ` | `.
    private static func lines(of table: Table) -> [String] {
        var rows = table.rows
        // A row closed without `</tr>` at the end of the table.
        if let row = table.row, row.contains(where: { !$0.isEmpty }) { rows.append((row, table.rowIsHeader)) }
        guard let first = rows.first else { return [] }
        if first.isHeader, first.cells.count > 1, rows.count > 1 {
            return [first.cells.joined(separator: " | ")] + rows.dropFirst().map { row in
                DelimitedTextExtractor.line(header: first.cells, values: row.cells)
            }
        }
        return rows.map { $0.cells.filter { !$0.isEmpty }.joined(separator: " | ") }
    }

    private mutating func finish(into builder: inout DocumentBuilder) throws(ExtractionFailure) {
        while !stack.isEmpty { try close(into: &builder) }
        while !tables.isEmpty {
            stack.append(Open(name: "table", isSuppressed: false))
            try close(into: &builder)
        }
        try flush(into: &builder)
        if inTitle, let title {
            // An unclosed `<title>`: its text was the whole rest of the page.
            try builder.paragraph(title)
        }
    }

    private mutating func append(_ text: String) {
        if let index = tables.indices.last, tables[index].cell != nil {
            tables[index].cell? += text
        } else if tables.last?.row != nil {
            // Text between cells (malformed tables) goes into a cell of its own.
            tables[tables.count - 1].cell = text
        } else {
            paragraph += text
        }
    }

    private mutating func flush(into builder: inout DocumentBuilder) throws(ExtractionFailure) {
        if writesTitle, let title, !inTitle, documentTitle == nil {
            let line = DocumentBuilder.oneLine(title)
            if !line.isEmpty {
                documentTitle = line
                try builder.heading(line, level: 1)
            }
        }
        let text = paragraph
        paragraph = ""
        let level = headingLevel
        headingLevel = nil
        guard text.contains(where: { !$0.isWhitespace }) else { return }
        if let level {
            let line = DocumentBuilder.oneLine(text)
            // The page's `<h1>` usually repeats its `<title>`.
            if firstHeading == nil { firstHeading = line }
            if level == 1, line == documentTitle { return }
            if documentTitle == nil { documentTitle = line }
            try builder.heading(line, level: level)
        } else if preDepth > 0 {
            try builder.verbatim(text)
        } else {
            try builder.paragraph((listPrefix ?? "") + text.drop(while: { $0 == " " || $0 == "\n" }))
            listPrefix = nil
        }
    }

    /// Source whitespace (including newlines) is a space in rendered text; `<br>` makes the line breaks.
    private static func spaced(_ text: String) -> String {
        String(text.map { $0 == "\n" || $0 == "\r" || $0 == "\t" || $0 == "\r\n" ? " " : $0 })
    }

    static func isHidden(_ attributes: [String: String]) -> Bool {
        if attributes["hidden"] != nil { return true }
        if attributes["aria-hidden"]?.lowercased() == "true" { return true }
        if attributes["type"]?.lowercased() == "hidden" { return true }
        if let style = attributes["style"]?.lowercased().filter({ !$0.isWhitespace }) {
            if style.contains("display:none") || style.contains("visibility:hidden") || style.contains("visibility:collapse") {
                return true
            }
            if style.contains("font-size:0;") || style.hasSuffix("font-size:0") || style.contains("opacity:0;") || style.hasSuffix("opacity:0") {
                return true
            }
        }
        return false
    }
}
