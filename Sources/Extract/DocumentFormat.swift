/// The document formats read by an extractor (everything that is not plain text, Markdown or code).
public enum DocumentFormat: String, Sendable, Codable, CaseIterable {
    case pdf, docx, odt, rtf, pptx, odp, xlsx, ods, csv, tsv, html, epub, eml, mbox, ipynb
}
