/// CSV and TSV: each row a line `Header: value, Header: value` under the header row's names, so a
/// question in words ("what did we pay in March") meets the row (`Month: March, Amount: 1,240`).
/// Fields follow RFC 4180 (quotes, doubled quotes, line breaks inside quotes); a CSV whose first line
/// has more semicolons than commas is read with `;`, as spreadsheets in many locales write it.
enum DelimitedTextExtractor {
    static func extract(_ bytes: [UInt8], format: DocumentFormat, limits: ExtractionLimits) throws(ExtractionFailure) -> ExtractedDocument {
        let text = decode(bytes)
        let separator: Character = format == .tsv ? "\t" : sniffSeparator(text)
        let rows = parse(text, separator: separator)
        var builder = DocumentBuilder(limits: limits)
        try write(rows: rows, into: &builder)
        return builder.build(format: format, extractor: format.rawValue)
    }

    /// Writes a table whose first row names the columns (CSV, a sheet), one paragraph per row.
    static func write(rows: [[String]], into builder: inout DocumentBuilder) throws(ExtractionFailure) {
        guard let header = rows.first(where: { row in row.contains { !$0.isEmpty } }),
            let headerIndex = rows.firstIndex(where: { row in row.contains { !$0.isEmpty } }) else { return }
        let dataRows = rows[(headerIndex + 1)...].filter { row in row.contains { !$0.isEmpty } }
        if dataRows.isEmpty {
            try builder.paragraph(header.filter { !$0.isEmpty }.joined(separator: ", "))
            return
        }
        for row in dataRows {
            try builder.paragraph(line(header: header, values: row))
        }
    }

    /// `Header: value, Header: value`; empty values are left out, a column without a name is `Column N`.
    static func line(header: [String], values: [String]) -> String {
        var fields: [String] = []
        for (index, raw) in values.enumerated() {
            let value = DocumentBuilder.oneLine(raw)
            guard !value.isEmpty else { continue }
            let name = index < header.count ? DocumentBuilder.oneLine(header[index]) : ""
            fields.append((name.isEmpty ? "Column \(index + 1)" : name) + ": " + value)
        }
        return fields.joined(separator: ", ")
    }

    static func decode(_ bytes: [UInt8]) -> String {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return String(decoding: bytes.dropFirst(3), as: UTF8.self) }
        if bytes.starts(with: [0xFF, 0xFE]) { return Charset.decode(bytes.dropFirst(2), charset: "UTF-16LE") }
        if bytes.starts(with: [0xFE, 0xFF]) { return Charset.decode(bytes.dropFirst(2), charset: "UTF-16BE") }
        if String(validating: bytes, as: UTF8.self) != nil { return String(decoding: bytes, as: UTF8.self) }
        return Charset.windows1252(bytes)
    }

    static func sniffSeparator(_ text: String) -> Character {
        let firstLine = text.prefix(while: { $0 != "\n" && $0 != "\r\n" })
        let semicolons = firstLine.filter { $0 == ";" }.count
        let commas = firstLine.filter { $0 == "," }.count
        let tabs = firstLine.filter { $0 == "\t" }.count
        if tabs > commas, tabs > semicolons { return "\t" }
        return semicolons > commas ? ";" : ","
    }

    /// RFC 4180 records. A quote opens a quoted field only at the field's start; inside one, `""` is a
    /// quote and line breaks are data. An unterminated quote runs to the end of the input.
    static func parse(_ text: String, separator: Character) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var fieldStarted = false
        var iterator = text.makeIterator()
        var pending: Character?
        while let character = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if character == "\"" {
                    let next = iterator.next()
                    if next == "\"" {
                        field.append("\"")
                    } else {
                        inQuotes = false
                        pending = next
                    }
                } else {
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where !fieldStarted:
                inQuotes = true
                fieldStarted = true
            case separator:
                row.append(field)
                field = ""
                fieldStarted = false
            case "\n", "\r\n", "\r":
                row.append(field)
                rows.append(row)
                row = []
                field = ""
                fieldStarted = false
            default:
                field.append(character)
                fieldStarted = true
            }
        }
        if fieldStarted || !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }
}
