import Foundation
import Testing
@testable import Extract

/// Tesseract's English data where the distribution put it (Scripts/install-deps installs
/// tesseract-ocr-eng); tests that recognise text are skipped without it.
enum OCRTesting {
    static let dataDirectory = OCRSettings.findDataDirectory(for: ["eng"], environment: ProcessInfo.processInfo.environment)
    static var isAvailable: Bool { dataDirectory != nil }
    static let skipReason: Comment = "no Tesseract language data for eng (Scripts/install-deps installs tesseract-ocr-eng)"

    static func engine(maxPages: Int = 100, minConfidence: Int = 40) throws -> OCREngine {
        guard let dataDirectory else { throw ExtractionFailure(.unsupported, "no language data") }
        return try OCREngine(settings: OCRSettings(
            dataDirectory: dataDirectory, pageTimeoutSeconds: 120, maxPages: maxPages, minConfidence: minConfidence))
    }

    /// `fixture` read as `format` with OCR.
    static func read(_ fixture: String, _ format: DocumentFormat, engine: OCREngine) throws -> ExtractedDocument {
        try Extraction.extract(Fixtures.bytes(fixture), format: format, fileName: fixture, ocr: engine)
    }
}
