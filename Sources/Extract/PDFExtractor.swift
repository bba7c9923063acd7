import CPoppler

/// PDF through poppler's GLib API (`libpoppler-glib`).
///
/// Why poppler and its GLib binding: it is the text extraction most Linux desktops already use
/// (Evince, pdftotext), its text output follows the reading flow (columns are read one after the
/// other, not line by line across the page), it is a plain C API a Swift system-library target can
/// wrap without C++ glue, it loads from memory (`poppler_document_new_from_bytes`) so the sandboxed
/// child never opens a path, and its cairo renderer is there for OCR later. MuPDF is faster but its
/// Debian package is a static library with an API that changes between minor versions.
///
/// Page by page, one part per page: lines of a page are kept; a line set larger than the body text
/// is a heading (the sections a citation names, as Markdown headings are); paragraphs split at
/// blank lines and at a wider gap than the usual line spacing; a word hyphenated at a line end is
/// joined (`agree-`/`ment` → `agreement`); a paragraph a page ends mid-sentence goes on with the next
/// page's first (one block over the break, so its chunk spans both pages); page numbers at the top or
/// bottom of a page are dropped; and running headers and footers (``PageFurniture``) are kept on the
/// first page they appear on only, as a block of their own after any paragraph carried over. Scanned
/// pages (a text layer of a few characters at most) are recognised by OCR, and their lines go the
/// same way as a text layer's.
enum PDFExtractor {
    static var version: String { String(cString: poppler_get_version()) }

    static func extract(
        _ bytes: [UInt8], fileName: String, limits: ExtractionLimits, ocr: OCREngine? = nil, survey: OCRSettings? = nil
    ) throws(ExtractionFailure) -> ExtractedDocument {
        guard bytes.count > 4, bytes.prefix(1024).firstRange(of: Array("%PDF-".utf8)) != nil else {
            throw ExtractionFailure(.corrupt, "\(fileName) does not start like a PDF (no %PDF- header)")
        }
        let (pages, styles, metadataTitle) = try pageTexts(bytes, fileName: fileName, limits: limits)
        var problems: [String] = []
        var scanned: [Int: ScannedPage] = [:]
        if let ocr {
            let sparse = pages.indices.filter { needsOCR(pages[$0], minimum: ocr.settings.minTextCharacters) }
            let recognized = try recognizePages(bytes, indices: sparse, fileName: fileName, engine: ocr)
            scanned = recognized.pages
            if let omitted = recognized.omitted { problems.append(omitted) }
        }
        // A survey reads the text layer only and lists the pages OCR would read, for later.
        var awaiting: [Int] = []
        if let survey, ocr == nil {
            awaiting = pages.indices.filter { needsOCR(pages[$0], minimum: survey.minTextCharacters) }
            for index in awaiting { scanned[index] = .notAttempted }
        }
        // Recognised pages stand in for their (nearly empty) text layer, lines as Tesseract laid them
        // out: their headers, footers, page numbers and paragraphs over a break are read as a text layer's.
        var lines = pages.map { page in page.split(separator: "\n", omittingEmptySubsequences: false).map { DocumentBuilder.oneLine($0) } }
        var pageStyles = styles
        for (index, page) in scanned {
            guard case .recognized(let recognized) = page else { continue }
            lines[index] = recognized.lines
            pageStyles[index] = nil
        }
        let furniture = PageFurniture(pages: lines)
        let styled = lines.indices.map { index in
            lines[index].indices.map { i in
                (line: lines[index][i], style: pageStyles[index].flatMap { $0.indices.contains(i) ? $0[i] : nil })
            }
        }
        let body = bodySize(styled)
        var levels = body.map { headingLevels(styled, body: $0) } ?? [:]
        let gap = body.flatMap { lineGap(styled, body: $0) }
        let header = runningHeader(lines, furniture: furniture)
        let title = documentTitle(
            metadata: metadataTitle, runningHeader: header, firstHeading: firstHeading(styled, levels: levels), fileName: fileName)
        // The title heads the document and its own headings move one level down, so every page's
        // chunks carry it in their heading path, as a Markdown file's `# Title` does.
        if title != nil { levels = levels.mapValues { $0 + 1 } }
        var flow = PageFlow(furniture: furniture, title: title, header: header)
        flow.body = body
        flow.levels = levels
        flow.gap = gap
        var builder = DocumentBuilder(limits: limits)
        for (index, pageLines) in lines.enumerated() {
            let nonEmpty = pageLines.filter { !$0.isEmpty }
            var isOCR = false
            switch scanned[index] {
            case .recognized?:
                isOCR = true
            case .failed(let problem)? where nonEmpty.isEmpty:
                problems.append(problem)
                flow.skip()
                continue
            case .notAttempted? where nonEmpty.isEmpty:
                flow.skip()
                continue
            default:
                break  // no OCR, or the few characters of the text layer are better than nothing
            }
            if nonEmpty.isEmpty {
                problems.append("page \(index + 1) has no text layer (a scanned image?)")
                flow.skip()
                continue
            }
            try flow.add(page: index + 1, lines: styled[index], isOCR: isOCR, to: &builder)
        }
        builder.endPart()
        if survey != nil, ocr == nil, !awaiting.isEmpty {
            var document = builder.build(format: .pdf, extractor: "pdf (poppler \(version))", pageCount: pages.count, problems: problems)
            document.pagesAwaitingOCR = awaiting.map { $0 + 1 }
            return document
        }
        if builder.isEmpty {
            guard ocr != nil else {
                throw ExtractionFailure(
                    .noText, "\(fileName) has no text layer on any of its \(pages.count) pages (a scan?); OCR is off, so nothing could be read")
            }
            throw ExtractionFailure(
                .noText, "\(fileName) has no text layer and OCR found no usable text (\(problems.prefix(3).joined(separator: "; ")))")
        }
        var extractor = "pdf (poppler \(version))"
        if let ocr, scanned.values.contains(where: { if case .recognized = $0 { true } else { false } }) {
            extractor += " + ocr (\(ocr.name))"
        }
        return builder.build(format: .pdf, extractor: extractor, pageCount: pages.count, problems: problems)
    }

    /// The text of each page, in poppler's reading order, and its lines' styles where poppler gives them.
    private static func pageTexts(
        _ bytes: [UInt8], fileName: String, limits: ExtractionLimits
    ) throws(ExtractionFailure) -> (texts: [String], styles: [[LineStyle?]?], title: String?) {
        let data = bytes.withUnsafeBytes { buffer in g_bytes_new(buffer.baseAddress, gsize(buffer.count)) }
        defer { g_bytes_unref(data) }
        var error: UnsafeMutablePointer<GError>?
        guard let document = poppler_document_new_from_bytes(data, nil, &error) else {
            let code = error?.pointee.code ?? -1
            let message = error.flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "unknown error"
            if let error { g_error_free(error) }
            if code == Int32(POPPLER_ERROR_ENCRYPTED.rawValue) {
                throw ExtractionFailure(.encrypted, "\(fileName) is password-protected; save an unprotected copy to index it")
            }
            throw ExtractionFailure(.corrupt, "\(fileName) is not a readable PDF (\(message))")
        }
        defer { g_object_unref(UnsafeMutableRawPointer(document)) }
        var title: String?
        if let raw = poppler_document_get_title(document) {
            title = String(cString: raw)
            g_free(raw)
        }
        let count = Int(poppler_document_get_n_pages(document))
        if count > limits.maxPages {
            throw ExtractionFailure(.limitExceeded, "\(fileName) has \(count) pages, more than \(limits.maxPages) (maxPages)")
        }
        var texts: [String] = []
        var styles: [[LineStyle?]?] = []
        texts.reserveCapacity(count)
        var total = 0
        for index in 0..<count {
            guard let page = poppler_document_get_page(document, Int32(index)) else {
                texts.append("")
                styles.append(nil)
                continue
            }
            defer { g_object_unref(UnsafeMutableRawPointer(page)) }
            guard let raw = poppler_page_get_text(page) else {
                texts.append("")
                styles.append(nil)
                continue
            }
            let text = String(cString: raw)
            g_free(raw)
            total += text.utf8.count
            if total > limits.maxTextBytes {
                throw ExtractionFailure(
                    .limitExceeded, "the extracted text would exceed \(limits.maxTextBytes) bytes (maxTextBytes); the document is too large to index")
            }
            texts.append(text)
            styles.append(lineStyles(page: page, text: text))
        }
        return (texts, styles, title)
    }

    /// Whether `next`, the first paragraph of a page, goes on with `previous`, the last one of the page
    /// before: `previous` stops mid-sentence (no . ! ? : ; … at its end, after any closing quote or
    /// bracket), and `next` begins in lowercase or `previous` ends on a comma, a hyphen or a lowercase
    /// word ("… was replaced in" / "May 2026 …") and is not a list item.
    static func continuesParagraph(_ previous: String, _ next: String) -> Bool {
        var tail = Substring(previous)
        while let last = tail.last, last.isWhitespace || "\"'”’»)]".contains(last) { tail.removeLast() }
        guard let last = tail.last, !".!?:;…".contains(last) else { return false }
        if next.first?.isLowercase == true { return true }
        if ",-–".contains(last) { return true }
        let lastLine = tail.split(separator: "\n").last ?? tail
        // "- keys", "• keys", "1. keys", "a) keys": an item without a full stop, not a sentence going on.
        let marker = lastLine.prefix { $0.isNumber || $0.isLetter }
        let afterMarker = lastLine.dropFirst(marker.count)
        let isListItem = lastLine.first.map { "-•*–·".contains($0) } == true
            || ((1...3).contains(marker.count) && (afterMarker.hasPrefix(". ") || afterMarker.hasPrefix(") ")))
        return !isListItem && lastLine.split(separator: " ").last?.first?.isLowercase == true
    }

    /// A word split over the page break: `previous` ends in a hyphen after a letter and `next` goes on
    /// in lowercase (`agree-` / `ment` → `agreement`), as ``paragraphs(_:)`` joins lines.
    static func joinsHyphenated(_ previous: String, _ next: String) -> Bool {
        previous.hasSuffix("-") && previous.dropLast().last?.isLetter == true && next.first?.isLowercase == true
    }

    /// Lines to paragraphs: a blank line ends one; a line ending in a hyphen after a letter, followed
    /// by a line starting with a lowercase letter, is joined without the hyphen.
    static func paragraphs(_ lines: [String]) -> [String] {
        var paragraphs: [String] = []
        var current = ""
        for line in lines {
            if line.isEmpty {
                if !current.isEmpty { paragraphs.append(current) }
                current = ""
                continue
            }
            if current.isEmpty {
                current = line
            } else if current.hasSuffix("-"), current.dropLast().last?.isLetter == true,
                line.first?.isLowercase == true {
                current = String(current.dropLast()) + line
            } else {
                current += "\n" + line
            }
        }
        if !current.isEmpty { paragraphs.append(current) }
        return paragraphs
    }
}
