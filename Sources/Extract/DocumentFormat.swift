/// The document formats read by an extractor (everything that is not plain text, Markdown or code).
/// Images (PNG, JPEG, TIFF, WebP) are read only by OCR.
public enum DocumentFormat: String, Sendable, Codable, CaseIterable {
    case pdf, docx, odt, rtf, pptx, odp, xlsx, ods, csv, tsv, html, epub, eml, mbox, ipynb
    case png, jpeg, tiff, webp
}
