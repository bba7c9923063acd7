/// OpenDocument text, presentations and spreadsheets (ODT, ODP, ODS): `content.xml` of the package.
/// Text: `text:h` headings at their outline level (and paragraphs in the Title style), paragraphs,
/// lists as `- ` lines, tables by row, notes under `# Notes`, tracked changes as accepted (the
/// change log with the deleted text is left out; insertions are already in the body).
/// Presentations: one part per slide (`page` = slide number), title frame as heading, speaker notes.
/// Spreadsheets: a section and a part per sheet, rows as `Header: value` lines; dates and times as
/// ISO 8601 from the cell's value, other cells as their text shows them.
struct OpenDocumentExtractor {
    private var notes: [String] = []
    /// Automatic paragraph styles (`P1`) and the named style each derives from (`Title`).
    private var parentStyles: [String: String] = [:]
    private let limits: ExtractionLimits

    static func extract(_ bytes: [UInt8], format: DocumentFormat, fileName: String, limits: ExtractionLimits) throws(ExtractionFailure) -> ExtractedDocument {
        let container = try ZipContainer(bytes, fileName: fileName, limits: limits)
        if let mimetype = try container.data("mimetype") {
            let type = String(decoding: mimetype, as: UTF8.self)
            let manifest = try container.xml("META-INF/manifest.xml")
            if type.contains("encrypted") || manifest?.descendant("encryption-data") != nil {
                throw ExtractionFailure(.encrypted, "\(fileName) is password-protected; save an unprotected copy to index it")
            }
        }
        guard let content = try container.xml("content.xml"), let body = content.descendant("body") else {
            throw ExtractionFailure(.corrupt, "\(fileName) has no content.xml: not an OpenDocument file")
        }
        var extractor = OpenDocumentExtractor(limits: limits)
        for style in content.descendant("automatic-styles")?.children("style") ?? [] {
            if let name = style.attribute("name"), let parent = style.attribute("parent-style-name") {
                extractor.parentStyles[name] = parent
            }
        }
        var builder = DocumentBuilder(limits: limits)
        var pageCount: Int?
        if let presentation = body.child("presentation") {
            pageCount = try extractor.writeSlides(presentation, into: &builder)
        } else if let spreadsheet = body.child("spreadsheet") {
            pageCount = try extractor.writeSheets(spreadsheet, into: &builder)
        } else if let text = body.child("text") ?? body.elements.first {
            try extractor.writeBlocks(text, into: &builder)
        }
        if !extractor.notes.isEmpty {
            builder.endPart()
            try builder.heading("Notes", level: 1)
            for note in extractor.notes { try builder.paragraph(note) }
        }
        return builder.build(format: format, extractor: format.rawValue, pageCount: pageCount)
    }

    private init(limits: ExtractionLimits) {
        self.limits = limits
    }

    // MARK: - Text

    private mutating func writeBlocks(_ container: XMLNode, into builder: inout DocumentBuilder, listPrefix: String? = nil) throws(ExtractionFailure) {
        for element in container.elements {
            switch element.localName {
            case "h":
                let level = Int(element.attribute("outline-level") ?? "1") ?? 1
                try builder.heading(inlineText(element), level: level)
            case "p":
                let style = element.attribute("style-name") ?? ""
                let named = parentStyles[style] ?? style
                if named == "Title" {
                    try builder.heading(inlineText(element), level: 1)
                } else if named == "Subtitle" {
                    try builder.heading(inlineText(element), level: 2)
                } else {
                    try builder.paragraph((listPrefix ?? "") + inlineText(element))
                }
            case "list":
                for item in element.elements where item.localName == "list-item" || item.localName == "list-header" {
                    try writeBlocks(item, into: &builder, listPrefix: "- ")
                }
            case "table":
                try builder.paragraph(tableLines(element).joined(separator: "\n"))
            case "section", "text", "index-body", "deletion-free", "change-start":
                try writeBlocks(element, into: &builder, listPrefix: listPrefix)
            default:
                // text:tracked-changes (the deleted text), tables of contents, forms, declarations.
                continue
            }
        }
    }

    /// A paragraph's text: spans and links in order, `text:s` spaces, tabs, line breaks; notes as
    /// `[n]` marks with their text queued; annotations and change-log marks left out.
    private mutating func inlineText(_ node: XMLNode) -> String {
        var out = ""
        for child in node.children {
            switch child {
            case let .text(text):
                out += text
            case let .element(element):
                switch element.localName {
                case "s":
                    out += String(repeating: " ", count: min(Int(element.attribute("c") ?? "1") ?? 1, 100))
                case "tab":
                    out += "\t"
                case "line-break":
                    out += "\n"
                case "note":
                    let body = element.child("note-body").map { body in body.elements.map { inlineText($0) }.joined(separator: " ") } ?? ""
                    let mark = "[\(notes.count + 1)]"
                    out += mark
                    notes.append(mark + " " + DocumentBuilder.oneLine(body))
                case "annotation", "change", "tracked-changes", "bookmark", "reference-mark", "soft-page-break", "sequence-decls":
                    continue
                case "frame", "text-box":
                    out += " " + element.descendants("p").map { inlineText($0) }.joined(separator: " ") + " "
                default:
                    out += inlineText(element)
                }
            }
        }
        return out
    }

    private mutating func tableLines(_ table: XMLNode) -> [String] {
        var lines: [String] = []
        for row in table.descendants("table-row") {
            let cells = row.children("table-cell").map { cell in
                DocumentBuilder.oneLine(cell.elements.map { inlineText($0) }.joined(separator: " "))
            }.filter { !$0.isEmpty }
            if !cells.isEmpty { lines.append(cells.joined(separator: " | ")) }
        }
        return lines
    }

    // MARK: - Presentations

    private mutating func writeSlides(_ presentation: XMLNode, into builder: inout DocumentBuilder) throws(ExtractionFailure) -> Int {
        let slides = presentation.children("page")
        for (index, slide) in slides.enumerated() {
            builder.beginPart(page: index + 1)
            var title: String?
            var bodies: [String] = []
            for frame in slide.elements where frame.localName == "frame" || frame.localName == "custom-shape" {
                let text = frame.descendants("p").map { DocumentBuilder.oneLine(inlineText($0)) }.filter { !$0.isEmpty }
                let kind = frame.attribute("class") ?? ""
                if title == nil, kind == "title" {
                    title = text.joined(separator: " ")
                } else if let table = frame.descendant("table") {
                    bodies.append(tableLines(table).joined(separator: "\n"))
                } else if !text.isEmpty {
                    bodies.append(text.joined(separator: "\n"))
                }
            }
            try builder.heading(title ?? "Slide \(index + 1)", level: 2)
            for body in bodies { try builder.paragraph(body) }
            if let notes = slide.child("notes") {
                let text = notes.elements.filter { $0.attribute("class") == "notes" || $0.localName == "frame" && $0.attribute("class") != "page" }
                    .flatMap { $0.descendants("p") }.map { DocumentBuilder.oneLine(inlineText($0)) }.filter { !$0.isEmpty }
                if !text.isEmpty { try builder.paragraph("Notes: " + text.joined(separator: "\n")) }
            }
        }
        builder.endPart()
        return slides.count
    }

    // MARK: - Spreadsheets

    /// Cells a repeated row or column may stand for; beyond this the repetition is formatting
    /// (a style applied to the remaining million rows), not data.
    private static let maxRepeat = 1_000

    /// A date or time cell as ISO 8601 from its value (`office:date-value`, `office:time-value`),
    /// not as its style shows it ("03/04/25" is March or April depending on the locale).
    private static func dateText(of cell: XMLNode) -> String? {
        switch cell.attribute("value-type") {
        case "date": return cell.attribute("date-value").flatMap(SpreadsheetDate.text(isoDate:))
        case "time": return cell.attribute("time-value").flatMap(SpreadsheetDate.text(isoDuration:))
        default: return nil
        }
    }

    private mutating func writeSheets(_ spreadsheet: XMLNode, into builder: inout DocumentBuilder) throws(ExtractionFailure) -> Int {
        let sheets = spreadsheet.children("table")
        for (index, sheet) in sheets.enumerated() {
            let name = sheet.attribute("name") ?? "Sheet \(index + 1)"
            builder.beginPart(label: "Sheet \"\(name)\"")
            try builder.heading(name, level: 1)
            var rows: [[String]] = []
            for row in sheet.descendants("table-row") {
                var cells: [String] = []
                for cell in row.elements where cell.localName == "table-cell" || cell.localName == "covered-table-cell" {
                    let text = Self.dateText(of: cell) ?? cell.children("p").map { inlineText($0) }.joined(separator: " ")
                    let repeated = min(Int(cell.attribute("number-columns-repeated") ?? "1") ?? 1, Self.maxRepeat)
                    // Trailing empty repeated cells pad the row to the sheet's width: skip them.
                    cells += Array(repeating: text, count: text.isEmpty && repeated > 1 ? 1 : max(repeated, 1))
                }
                while cells.last?.isEmpty == true { cells.removeLast() }
                let repeated = min(Int(row.attribute("number-rows-repeated") ?? "1") ?? 1, Self.maxRepeat)
                if cells.isEmpty { continue }
                rows += Array(repeating: cells, count: max(repeated, 1))
            }
            try DelimitedTextExtractor.write(rows: rows, into: &builder)
        }
        builder.endPart()
        return sheets.count
    }
}
