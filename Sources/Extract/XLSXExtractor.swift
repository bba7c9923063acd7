/// Excel workbooks (Office Open XML): each sheet a section `# Name` and a part labelled
/// `Sheet "Name"`, rows as `Header: value` lines under the first row's names. Values are read as
/// stored: shared and inline strings, numbers as written in the file, booleans as TRUE/FALSE, a
/// formula's cached result; except dates and times, which are serial numbers in the file and are
/// written as ISO 8601 when the cell's number format shows a date or time (``SpreadsheetDate``).
enum XLSXExtractor {
    static func extract(_ bytes: [UInt8], fileName: String, limits: ExtractionLimits) throws(ExtractionFailure) -> ExtractedDocument {
        let container = try ZipContainer(bytes, fileName: fileName, limits: limits)
        let workbookPath = "xl/workbook.xml"
        guard let workbook = try container.xml(workbookPath) else {
            if container.contains("EncryptedPackage") {
                throw ExtractionFailure(.encrypted, "\(fileName) is password-protected; save an unprotected copy to index it")
            }
            throw ExtractionFailure(.corrupt, "\(fileName) has no xl/workbook.xml: not an Excel workbook")
        }
        let relationships = try container.relationships(of: workbookPath)
        let sharedStrings = try readSharedStrings(container, relationships: relationships)
        let styles = try readDateStyles(container, relationships: relationships)
        let date1904 = workbook.descendant("workbookPr")?.attribute("date1904")
        let system: SpreadsheetDate.System = date1904 == "1" || date1904 == "true" ? .excel1904 : .excel1900
        let cells = CellReader(sharedStrings: sharedStrings, dateStyles: styles, system: system)
        var builder = DocumentBuilder(limits: limits)
        let sheets = workbook.descendant("sheets")?.children("sheet") ?? []
        for (index, sheet) in sheets.enumerated() {
            let name = sheet.attribute("name") ?? "Sheet \(index + 1)"
            guard let id = sheet.attribute("r:id") ?? sheet.attribute("id"), let path = relationships[id]?.path,
                let worksheet = try container.xml(path) else { continue }
            builder.beginPart(label: "Sheet \"\(name)\"")
            try builder.heading(name, level: 1)
            try DelimitedTextExtractor.write(rows: rows(of: worksheet, cells: cells), into: &builder)
        }
        builder.endPart()
        return builder.build(format: .xlsx, extractor: "xlsx", pageCount: sheets.count)
    }

    private static func readSharedStrings(
        _ container: ZipContainer, relationships: [String: (type: String, path: String)]
    ) throws(ExtractionFailure) -> [String] {
        let path = relationships.values.first { $0.type.hasSuffix("/sharedStrings") }?.path ?? "xl/sharedStrings.xml"
        guard let root = try container.xml(path) else { return [] }
        return root.children("sst").first.map { $0.children("si").map(stringItem) } ?? root.descendants("si").map(stringItem)
    }

    /// For each cell style (`s`, an index into `cellXfs`) whose number format shows a date or time,
    /// what it shows: a custom `numFmt` code of that id if the workbook has one, else the built-in format.
    private static func readDateStyles(
        _ container: ZipContainer, relationships: [String: (type: String, path: String)]
    ) throws(ExtractionFailure) -> [Int: SpreadsheetDate.Display] {
        let path = relationships.values.first { $0.type.hasSuffix("/styles") }?.path ?? "xl/styles.xml"
        guard let root = try container.xml(path) else { return [:] }
        var codes: [Int: String] = [:]
        for format in root.descendant("numFmts")?.children("numFmt") ?? [] {
            if let id = format.attribute("numFmtId").flatMap({ Int($0) }), let code = format.attribute("formatCode") {
                codes[id] = code
            }
        }
        var styles: [Int: SpreadsheetDate.Display] = [:]
        for (index, style) in (root.descendant("cellXfs")?.children("xf") ?? []).enumerated() {
            guard let id = style.attribute("numFmtId").flatMap({ Int($0) }) else { continue }
            let display = codes[id].map { SpreadsheetDate.display(ofFormatCode: $0) } ?? SpreadsheetDate.display(ofBuiltInFormat: id)
            if let display { styles[index] = display }
        }
        return styles
    }

    /// A string item: its `t`, or its rich-text runs' `t`s; phonetic guides (`rPh`) left out.
    private static func stringItem(_ item: XMLNode) -> String {
        if let plain = item.child("t") { return plain.text }
        return item.children("r").compactMap { $0.child("t")?.text }.joined()
    }

    /// Most columns read from one row; a reference beyond is hostile or a formatting artefact.
    private static let maxColumns = 16_384

    /// What a cell's value means beyond its text: the workbook's strings, its date styles, its date system.
    struct CellReader {
        var sharedStrings: [String]
        var dateStyles: [Int: SpreadsheetDate.Display]
        var system: SpreadsheetDate.System

        func value(of cell: XMLNode) -> String {
            let value = cell.child("v")?.text ?? ""
            switch cell.attribute("t") {
            case "s":
                guard let index = Int(value), sharedStrings.indices.contains(index) else { return "" }
                return sharedStrings[index]
            case "inlineStr":
                return cell.child("is").map(XLSXExtractor.stringItem) ?? ""
            case "b":
                return value == "1" ? "TRUE" : value == "0" ? "FALSE" : value
            case "d":
                // Strict OOXML stores the date itself, in ISO 8601.
                return SpreadsheetDate.text(isoDate: value) ?? value
            case nil, "n":
                guard let style = cell.attribute("s").flatMap({ Int($0) }), let display = dateStyles[style],
                    let serial = Double(value), let date = SpreadsheetDate.text(serial: serial, display: display, system: system)
                else { return value }
                return date
            default:
                return value
            }
        }
    }

    static func rows(of worksheet: XMLNode, cells reader: CellReader) -> [[String]] {
        guard let data = worksheet.descendant("sheetData") else { return [] }
        var rows: [[String]] = []
        for row in data.children("row") {
            var cells: [String] = []
            for cell in row.children("c") {
                let column = cell.attribute("r").flatMap(columnIndex) ?? cells.count
                guard column < maxColumns else { continue }
                let value = reader.value(of: cell)
                if column >= cells.count { cells += Array(repeating: "", count: column - cells.count + 1) }
                cells[column] = value
            }
            rows.append(cells)
        }
        return rows
    }

    /// 0-based column of a cell reference: "A1" → 0, "AB7" → 27.
    static func columnIndex(_ reference: String) -> Int? {
        var column = 0
        var letters = 0
        for scalar in reference.unicodeScalars {
            guard scalar.value >= 65, scalar.value <= 90 || (scalar.value >= 97 && scalar.value <= 122) else { break }
            guard letters < 4 else { return nil }
            column = column * 26 + Int((scalar.value & ~0x20) - 64)
            letters += 1
        }
        return letters == 0 ? nil : column - 1
    }
}
