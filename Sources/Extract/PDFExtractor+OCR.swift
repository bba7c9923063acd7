import CPoppler

/// Scanned PDF pages: those whose text layer is empty or nearly so are rendered (poppler + cairo, at
/// `[ocr] dpi`) and recognised by Tesseract, up to `[ocr] max_pages` of them per document.
extension PDFExtractor {
    /// What became of one page that needed OCR.
    enum ScannedPage: Equatable {
        case recognized(OCRPageText)
        /// Not recognised, or too poorly to index: the problem to record.
        case failed(String)
        /// Past `[ocr] max_pages`: covered by one problem for all such pages.
        case notAttempted
    }

    /// A page needs OCR when its text layer has fewer than `minimum` non-space characters.
    static func needsOCR(_ text: String, minimum: Int) -> Bool {
        var count = 0
        for scalar in text.unicodeScalars where !scalar.properties.isWhitespace {
            count += 1
            if count >= minimum { return false }
        }
        return true
    }

    /// Recognises the pages (0-based `indices`) of the PDF in `bytes`, in order, up to the engine's page
    /// limit; the problem for the pages left out is `omitted`.
    static func recognizePages(
        _ bytes: [UInt8], indices: [Int], fileName: String, engine: OCREngine
    ) throws(ExtractionFailure) -> (pages: [Int: ScannedPage], omitted: String?) {
        guard !indices.isEmpty else { return ([:], nil) }
        let settings = engine.settings
        let data = bytes.withUnsafeBytes { buffer in g_bytes_new(buffer.baseAddress, gsize(buffer.count)) }
        defer { g_bytes_unref(data) }
        var error: UnsafeMutablePointer<GError>?
        guard let document = poppler_document_new_from_bytes(data, nil, &error) else {
            // The text layer was read a moment ago from the same bytes, so this is not expected.
            if let error { g_error_free(error) }
            throw ExtractionFailure(.corrupt, "\(fileName) could not be opened again to render its scanned pages")
        }
        defer { g_object_unref(UnsafeMutableRawPointer(document)) }
        let renderer = PDFPageRenderer(dpi: settings.dpi, maxPixels: settings.maxImagePixels)
        var pages: [Int: ScannedPage] = [:]
        for (position, index) in indices.enumerated() {
            guard position < settings.maxPages else {
                pages[index] = .notAttempted
                continue
            }
            let place = "page \(index + 1)"
            engine.pageBegins()
            guard let page = poppler_document_get_page(document, Int32(index)) else {
                pages[index] = .failed("\(place) could not be rendered for OCR")
                continue
            }
            defer { g_object_unref(UnsafeMutableRawPointer(page)) }
            let text = renderer.render(page) { pixels, width, height, bytesPerLine, dpi in
                engine.recognize(pixels: pixels, width: width, height: height, bytesPerPixel: 4, bytesPerLine: bytesPerLine, dpi: dpi)
            }
            guard let text else {
                pages[index] = .failed("\(place) could not be rendered for OCR")
                continue
            }
            if let problem = text.problem(place: place, settings: settings) {
                pages[index] = .failed(problem)
            } else {
                pages[index] = .recognized(text)
            }
        }
        var omitted: String?
        if indices.count > settings.maxPages {
            let left = indices[settings.maxPages...]
            omitted = "\(left.count) more page\(left.count == 1 ? "" : "s") without a text layer (from page \(left[left.startIndex] + 1)) "
                + "were not recognised: [ocr] max_pages is \(settings.maxPages)"
        }
        return (pages, omitted)
    }
}
