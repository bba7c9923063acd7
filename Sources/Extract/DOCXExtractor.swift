import Foundation

/// Word documents (Office Open XML): `word/document.xml` paragraph by paragraph. Title and heading
/// styles (by style name or outline level) become `#` headings, tables rows, numbered and bulleted
/// paragraphs `- ` lines, tracked changes are read as accepted (insertions kept, deletions dropped),
/// and footnotes and endnotes follow the body under `# Notes`, each with its reference mark `[n]`.
struct DOCXExtractor {
    private let container: ZipContainer
    /// Heading level of each paragraph style id that is a title or heading.
    private var headingStyles: [String: Int] = [:]
    /// Paragraph style ids that number or bullet their paragraphs ("List Bullet").
    private var listStyles: Set<String> = []
    private var notes: [String] = []
    private var noteText: [String: String] = [:]

    static func extract(_ bytes: [UInt8], fileName: String, limits: ExtractionLimits) throws(ExtractionFailure) -> ExtractedDocument {
        let container = try ZipContainer(bytes, fileName: fileName, limits: limits)
        var extractor = DOCXExtractor(container: container)
        let documentPath = try Self.mainDocumentPath(container)
        guard let document = try container.xml(documentPath), let body = document.descendant("body") else {
            throw ExtractionFailure(.corrupt, "\(fileName) has no word/document.xml: not a Word document")
        }
        try extractor.readStyles()
        try extractor.readNotes(kind: "footnote", path: "word/footnotes.xml")
        try extractor.readNotes(kind: "endnote", path: "word/endnotes.xml")
        var builder = DocumentBuilder(limits: limits)
        try extractor.write(body, into: &builder)
        if !extractor.notes.isEmpty {
            try builder.heading("Notes", level: 1)
            for note in extractor.notes { try builder.paragraph(note) }
        }
        return builder.build(format: .docx, extractor: "docx")
    }

    private init(container: ZipContainer) {
        self.container = container
    }

    /// The main part named by `[Content_Types].xml`'s root relationship, usually `word/document.xml`.
    private static func mainDocumentPath(_ container: ZipContainer) throws(ExtractionFailure) -> String {
        for (_, relationship) in try container.relationships(of: "")
        where relationship.type.hasSuffix("/officeDocument") && container.contains(relationship.path) {
            return relationship.path
        }
        return "word/document.xml"
    }

    private mutating func readStyles() throws(ExtractionFailure) {
        guard let styles = try container.xml("word/styles.xml") else { return }
        for style in styles.descendants("style") where style.attribute("type") == "paragraph" {
            guard let id = style.attribute("styleId") else { continue }
            let name = (style.child("name")?.attribute("val") ?? id).lowercased()
            if style.child("pPr")?.child("numPr") != nil || name.hasPrefix("list bullet") || name.hasPrefix("list number") {
                listStyles.insert(id)
            }
            if let level = Self.headingLevel(styleName: name) {
                headingStyles[id] = level
            } else if let outline = style.descendant("outlineLvl")?.attribute("val"), let level = Int(outline), level < 9 {
                headingStyles[id] = level + 1
            }
        }
    }

    /// "title" → 1, "heading 2" / "Heading2" / "Überschrift 2" style ids are matched by their English names.
    static func headingLevel(styleName: String) -> Int? {
        let name = styleName.lowercased().replacingOccurrences(of: " ", with: "")
        if name == "title" { return 1 }
        if name.hasPrefix("heading"), let level = Int(name.dropFirst("heading".count)), (1...9).contains(level) {
            return min(level, 6)
        }
        return nil
    }

    private mutating func readNotes(kind: String, path: String) throws(ExtractionFailure) {
        guard let root = try container.xml(path) else { return }
        for note in root.descendants(kind) {
            guard let id = note.attribute("id"), note.attribute("type") == nil || note.attribute("type") == "normal" else { continue }
            let text = note.descendants("p").map { paragraphText($0) }.joined(separator: " ")
            noteText[kind + id] = DocumentBuilder.oneLine(text)
        }
    }

    private mutating func write(_ body: XMLNode, into builder: inout DocumentBuilder) throws(ExtractionFailure) {
        for element in body.elements {
            switch element.localName {
            case "p":
                try writeParagraph(element, into: &builder)
            case "tbl":
                try builder.paragraph(tableLines(element).joined(separator: "\n"))
            case "sdt", "customXml", "ins", "smartTag":
                // Content controls and tracked insertions wrap ordinary paragraphs.
                if let content = element.child("sdtContent") { try write(content, into: &builder) } else { try write(element, into: &builder) }
            case "AlternateContent":
                if let choice = element.child("Choice") { try write(choice, into: &builder) }
            default:
                continue  // sectPr, bookmarks, w:del of whole paragraphs
            }
        }
    }

    private mutating func writeParagraph(_ paragraph: XMLNode, into builder: inout DocumentBuilder) throws(ExtractionFailure) {
        let text = paragraphText(paragraph)
        let properties = paragraph.child("pPr")
        if let style = properties?.child("pStyle")?.attribute("val") {
            if let level = headingStyles[style] ?? Self.headingLevel(styleName: style) {
                return try builder.heading(text, level: level)
            }
        }
        if let outline = properties?.child("outlineLvl")?.attribute("val"), let level = Int(outline), level < 6 {
            return try builder.heading(text, level: level + 1)
        }
        if properties?.child("numPr") != nil || properties?.child("pStyle")?.attribute("val").map(listStyles.contains) == true {
            return try builder.paragraph("- " + text)
        }
        try builder.paragraph(text)
    }

    /// The visible text of a paragraph: runs in order, tracked deletions, field codes and the
    /// fallback copies of drawings left out; breaks as line breaks, tabs as spaces; note references
    /// as `[n]` with the note queued for the Notes section.
    private mutating func paragraphText(_ node: XMLNode) -> String {
        var out = ""
        for child in node.children {
            guard case let .element(element) = child else { continue }
            switch element.localName {
            case "t":
                out += element.text
            case "tab", "ptab":
                out += "\t"
            case "br", "cr":
                out += "\n"
            case "noBreakHyphen":
                out += "-"
            case "del", "delText", "instrText", "pPr", "rPr", "Fallback", "moveFrom", "fldData":
                continue
            case "footnoteReference", "endnoteReference":
                let kind = element.localName == "footnoteReference" ? "footnote" : "endnote"
                guard let id = element.attribute("id"), let note = noteText.removeValue(forKey: kind + id) else { continue }
                let mark = "[\(notes.count + 1)]"
                out += mark
                notes.append(mark + " " + note)
            case "txbxContent":
                out += " " + element.elements.map { paragraphText($0) }.joined(separator: " ") + " "
            default:
                out += paragraphText(element)
            }
        }
        return out
    }

    /// Table rows as lines, cells joined by ` | `, or `Header: value` under a repeated header row.
    private mutating func tableLines(_ table: XMLNode) -> [String] {
        var rows: [[String]] = []
        var headerRowCount = 0
        for row in table.children("tr") {
            let cells = row.children("tc").map { cell in
                DocumentBuilder.oneLine(cell.elements.map { element in
                    element.localName == "tbl" ? tableLines(element).joined(separator: "; ") : paragraphText(element)
                }.joined(separator: " "))
            }
            if rows.count == headerRowCount, row.child("trPr")?.child("tblHeader") != nil { headerRowCount += 1 }
            rows.append(cells)
        }
        if headerRowCount == 1, let header = rows.first, rows.count > 1 {
            return [header.joined(separator: " | ")] + rows.dropFirst().map { DelimitedTextExtractor.line(header: header, values: $0) }
        }
        return rows.map { $0.filter { !$0.isEmpty }.joined(separator: " | ") }.filter { !$0.isEmpty }
    }
}
