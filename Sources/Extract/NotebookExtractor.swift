import Foundation

/// Jupyter notebooks: markdown cells as they are (their `#` headings are the notebook's sections),
/// code cells fenced as code, raw cells as text; outputs and the JSON around the cells left out.
enum NotebookExtractor {
    static func extract(_ bytes: [UInt8], fileName: String, limits: ExtractionLimits) throws(ExtractionFailure) -> ExtractedDocument {
        if let depth = nestingDepth(bytes, beyond: limits.maxNestingDepth) {
            throw ExtractionFailure(
                .limitExceeded, "\(fileName) nests JSON values more than \(limits.maxNestingDepth) deep (\(depth) levels; maxNestingDepth)")
        }
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
        } catch {
            throw ExtractionFailure(.corrupt, "\(fileName) is not a JSON notebook (\(error.localizedDescription))")
        }
        guard let notebook = root as? [String: Any] else {
            throw ExtractionFailure(.corrupt, "\(fileName) is not a Jupyter notebook (no cells)")
        }
        // nbformat 4 keeps cells at the top; nbformat 3 inside worksheets.
        let cells = (notebook["cells"] as? [Any])
            ?? ((notebook["worksheets"] as? [Any])?.compactMap { ($0 as? [String: Any])?["cells"] as? [Any] }.flatMap { $0 })
        guard let cells else { throw ExtractionFailure(.corrupt, "\(fileName) is not a Jupyter notebook (no cells)") }
        let language = ((notebook["metadata"] as? [String: Any])?["language_info"] as? [String: Any])?["name"] as? String
            ?? ((notebook["metadata"] as? [String: Any])?["kernelspec"] as? [String: Any])?["language"] as? String ?? ""
        var builder = DocumentBuilder(limits: limits)
        for case let cell as [String: Any] in cells {
            let source = Self.source(cell["source"] ?? cell["input"])
            guard source.contains(where: { !$0.isWhitespace }) else { continue }
            switch cell["cell_type"] as? String {
            case "markdown":
                try writeMarkdown(source, into: &builder)
            case "code":
                try builder.verbatim("```\(language)\n" + source + "\n```")
            default:
                try builder.paragraph(source)
            }
        }
        return builder.build(format: .ipynb, extractor: "ipynb")
    }

    /// The nesting depth of `[`/`{` outside strings once it passes `limit`, else nil: checked before
    /// the JSON parser, whose recursion a hostile file must not reach.
    static func nestingDepth(_ bytes: [UInt8], beyond limit: Int) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > limit { return depth }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return nil
    }

    /// A cell's source: one string or a list of lines.
    private static func source(_ value: Any?) -> String {
        if let text = value as? String { return text }
        if let lines = value as? [Any] { return lines.compactMap { $0 as? String }.joined() }
        return ""
    }

    /// Markdown kept line for line: headings stay headings, paragraphs split at blank lines.
    private static func writeMarkdown(_ source: String, into builder: inout DocumentBuilder) throws(ExtractionFailure) {
        var block: [Substring] = []
        func flush(_ builder: inout DocumentBuilder) throws(ExtractionFailure) {
            if !block.isEmpty { try builder.verbatim(block.joined(separator: "\n")) }
            block.removeAll()
        }
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.allSatisfy(\.isWhitespace) {
                try flush(&builder)
            } else if line.hasPrefix("#") {
                try flush(&builder)
                let level = line.prefix(while: { $0 == "#" }).count
                try builder.heading(String(line.drop(while: { $0 == "#" })), level: level)
            } else {
                block.append(line)
            }
        }
        try flush(&builder)
    }
}
