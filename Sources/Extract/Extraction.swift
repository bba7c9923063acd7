/// The one entry point of the extractors: the bytes of a document of a known format to its text with
/// locators. Called inside the extraction sandbox (`sottod extract`) and by the extractor tests.
public enum Extraction {
    /// Reads `bytes` as `format`. `fileName` is the document's own name (for messages and error text);
    /// `limits` bound what hostile input can make the extractor do.
    public static func extract(
        _ bytes: [UInt8], format: DocumentFormat, fileName: String, limits: ExtractionLimits = ExtractionLimits()
    ) throws(ExtractionFailure) -> ExtractedDocument {
        throw ExtractionFailure(.unsupported, "\(format.rawValue) files are not read yet")
    }
}
