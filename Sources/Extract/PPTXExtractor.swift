/// PowerPoint (Office Open XML): slides in presentation order (`p:sldIdLst`), one part per slide
/// (`page` = slide number), the title placeholder as the slide's heading, the other shapes' text and
/// tables, then the speaker notes.
enum PPTXExtractor {
    static func extract(_ bytes: [UInt8], fileName: String, limits: ExtractionLimits) throws(ExtractionFailure) -> ExtractedDocument {
        let container = try ZipContainer(bytes, fileName: fileName, limits: limits)
        let presentationPath = "ppt/presentation.xml"
        guard let presentation = try container.xml(presentationPath) else {
            throw ExtractionFailure(.corrupt, "\(fileName) has no ppt/presentation.xml: not a PowerPoint file")
        }
        let relationships = try container.relationships(of: presentationPath)
        var slidePaths = presentation.descendant("sldIdLst")?.children("sldId").compactMap { slide in
            slide.attribute("r:id").flatMap { relationships[$0]?.path } ?? slide.attribute("id").flatMap { relationships[$0]?.path }
        } ?? []
        if slidePaths.isEmpty {
            // No slide list: the slide parts in name order.
            slidePaths = container.paths.filter { $0.hasPrefix("ppt/slides/slide") && $0.hasSuffix(".xml") }
                .sorted { $0.count == $1.count ? $0 < $1 : $0.count < $1.count }
        }
        var builder = DocumentBuilder(limits: limits)
        for (index, path) in slidePaths.enumerated() {
            guard let slide = try container.xml(path) else { continue }
            builder.beginPart(page: index + 1)
            var title: String?
            var bodies: [String] = []
            for shape in shapes(in: slide) {
                let placeholder = shape.descendant("nvPr")?.child("ph")?.attribute("type") ?? ""
                if let table = shape.descendant("tbl") {
                    bodies.append(tableLines(table).joined(separator: "\n"))
                    continue
                }
                let paragraphs = shape.descendants("p").map(paragraphText).filter { !$0.isEmpty }
                if title == nil, placeholder == "title" || placeholder == "ctrTitle" {
                    title = paragraphs.joined(separator: " ")
                } else if !paragraphs.isEmpty, !["sldNum", "dt", "ftr"].contains(placeholder) {
                    bodies.append(paragraphs.joined(separator: "\n"))
                }
            }
            try builder.heading(title ?? "Slide \(index + 1)", level: 2)
            for body in bodies { try builder.paragraph(body) }
            let slideRelationships = try container.relationships(of: path)
            if let notesPath = slideRelationships.values.first(where: { $0.type.hasSuffix("/notesSlide") })?.path,
                let notes = try container.xml(notesPath) {
                let text = shapes(in: notes).filter { shape in
                    let placeholder = shape.descendant("nvPr")?.child("ph")?.attribute("type")
                    return placeholder == "body" || placeholder == nil
                }.flatMap { $0.descendants("p") }.map(paragraphText).filter { !$0.isEmpty }
                if !text.isEmpty { try builder.paragraph("Notes: " + text.joined(separator: "\n")) }
            }
        }
        builder.endPart()
        return builder.build(format: .pptx, extractor: "pptx", pageCount: slidePaths.count)
    }

    /// Shapes and table frames of a slide's tree in document order, group shapes flattened.
    private static func shapes(in slide: XMLNode) -> [XMLNode] {
        guard let tree = slide.descendant("spTree") else { return [] }
        func flatten(_ node: XMLNode) -> [XMLNode] {
            node.elements.flatMap { element -> [XMLNode] in
                switch element.localName {
                case "sp", "graphicFrame": [element]
                case "grpSp": flatten(element)
                case "AlternateContent": element.child("Choice").map(flatten) ?? []
                default: []
                }
            }
        }
        return flatten(tree)
    }

    /// A DrawingML paragraph: its runs' `a:t`, line breaks as newlines.
    static func paragraphText(_ paragraph: XMLNode) -> String {
        var out = ""
        for element in paragraph.elements {
            switch element.localName {
            case "r", "fld": out += element.child("t")?.text ?? ""
            case "br": out += "\n"
            default: continue
            }
        }
        return DocumentBuilder.oneLine(out)
    }

    private static func tableLines(_ table: XMLNode) -> [String] {
        table.children("tr").map { row in
            row.children("tc").map { cell in cell.descendants("p").map(paragraphText).joined(separator: " ") }
                .filter { !$0.isEmpty }.joined(separator: " | ")
        }.filter { !$0.isEmpty }
    }
}
