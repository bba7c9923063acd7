/// The one entry point of the extractors: the bytes of a document of a known format to its text with
/// locators. Called inside the extraction sandbox (`sottod extract`) and by the extractor tests.
public enum Extraction {
    /// Reads `bytes` as `format`. `fileName` is the document's own name (for messages and error text);
    /// `limits` bound what hostile input can make the extractor do. With `ocr`, images and PDF pages
    /// without a text layer are recognised; without it, images fail and such pages are problems.
    /// With `survey` instead, nothing is recognised: the pages OCR would read (by its settings) are
    /// listed in `pagesAwaitingOCR`, for the indexer to recognise later, after the cheap documents.
    public static func extract(
        _ bytes: [UInt8], format: DocumentFormat, fileName: String, limits: ExtractionLimits = ExtractionLimits(),
        ocr: OCREngine? = nil, survey: OCRSettings? = nil
    ) throws(ExtractionFailure) -> ExtractedDocument {
        if let survey, ocr == nil {
            if format == .pdf { return try PDFExtractor.extract(bytes, fileName: fileName, limits: limits, survey: survey) }
            if format.isImage { return try ImageExtractor.survey(bytes, format: format, fileName: fileName, limits: limits) }
        }
        return try extract(bytes, format: format, fileName: fileName, limits: limits, depth: 0, ocr: ocr)
    }

    /// The libraries the extractors read with, e.g. "poppler 22.12.0, tesseract 5.3.0": a new one may
    /// read what the old one could not.
    public static var libraryVersions: String {
        "poppler \(PDFExtractor.version), tesseract \(OCREngine.version)"
    }

    /// Loads what the extractors would otherwise load from files on first use (iconv's charset
    /// converters), for a caller about to lose access to files: `sottod extract` calls it before its
    /// seccomp filter. Returns the charsets this system's iconv does not have.
    @discardableResult
    public static func preload() -> [String] {
        Charset.preloadConverters()
    }

    /// `depth` counts containers around this document (a PDF attached to a message in an mbox is at
    /// depth 2), bounded by `maxNestingDepth` like any other nesting.
    static func extract(
        _ bytes: [UInt8], format: DocumentFormat, fileName: String, limits: ExtractionLimits, depth: Int,
        ocr: OCREngine? = nil
    ) throws(ExtractionFailure) -> ExtractedDocument {
        switch format {
        case .pdf:
            return try PDFExtractor.extract(bytes, fileName: fileName, limits: limits, ocr: ocr)
        case .png, .jpeg, .tiff, .webp:
            return try ImageExtractor.extract(bytes, format: format, fileName: fileName, limits: limits, ocr: ocr)
        case .html:
            return try HTMLExtractor.extract(bytes, limits: limits)
        case .csv, .tsv:
            return try DelimitedTextExtractor.extract(bytes, format: format, limits: limits)
        case .docx:
            return try DOCXExtractor.extract(bytes, fileName: fileName, limits: limits)
        case .pptx:
            return try PPTXExtractor.extract(bytes, fileName: fileName, limits: limits)
        case .xlsx:
            return try XLSXExtractor.extract(bytes, fileName: fileName, limits: limits)
        case .odt, .odp, .ods:
            return try OpenDocumentExtractor.extract(bytes, format: format, fileName: fileName, limits: limits)
        case .rtf:
            return try RTFExtractor.extract(bytes, fileName: fileName, limits: limits)
        case .epub:
            return try EPUBExtractor.extract(bytes, fileName: fileName, limits: limits)
        case .eml, .mbox:
            return try MailExtractor.extract(bytes, format: format, fileName: fileName, limits: limits, depth: depth, ocr: ocr)
        case .ipynb:
            return try NotebookExtractor.extract(bytes, fileName: fileName, limits: limits)
        }
    }
}
