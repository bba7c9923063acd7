/// What Tesseract read on one page (or image), and how sure it was.
struct OCRPageText: Sendable, Equatable {
    /// Lines as Tesseract laid them out, paragraphs separated by a blank line.
    var text: String
    /// Tesseract's mean word confidence, 0–100.
    var meanConfidence: Int
    var wordCount: Int
    /// Recognition was stopped at the page time limit.
    var timedOut: Bool

    /// The text as paragraphs, words hyphenated at a line end joined, as for a PDF's text layer.
    var paragraphs: [String] {
        PDFExtractor.paragraphs(text.split(separator: "\n", omittingEmptySubsequences: false).map { DocumentBuilder.oneLine($0) })
    }

    /// Why this page's text is not indexed, or nil when it is good enough. `place` names it in the
    /// message: "page 3", "the image".
    func problem(place: String, settings: OCRSettings) -> String? {
        if timedOut {
            return "\(place): OCR stopped after \(settings.pageTimeoutSeconds) s ([ocr] page_timeout); its text is not indexed"
        }
        if wordCount == 0 || paragraphs.isEmpty { return "\(place): OCR found no text" }
        if meanConfidence < settings.minConfidence {
            return "\(place): OCR confidence \(meanConfidence) is below \(settings.minConfidence) ([ocr] min_confidence); "
                + "its text is not indexed"
        }
        return nil
    }
}
