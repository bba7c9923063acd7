import CTesseract
import Glibc

/// Images (PNG, JPEG, TIFF, WebP) through OCR: decoded from memory by Leptonica, recognised by Tesseract.
///
/// Each image's dimensions are read from its header and checked before anything is decoded, so a
/// decompression bomb (a small file declaring a huge canvas) is refused without allocating it. A
/// multi-page TIFF is read as pages, one part per page, up to `[ocr] max_pages`; other images are one
/// part without a page; a TIFF's pages are laid out as a scanned PDF's (``PageFlow``). Text Tesseract is
/// unsure of is not indexed but listed as a problem.
enum ImageExtractor {
    static func extract(
        _ bytes: [UInt8], format: DocumentFormat, fileName: String, limits: ExtractionLimits, ocr: OCREngine?
    ) throws(ExtractionFailure) -> ExtractedDocument {
        let kind = format.rawValue.uppercased()
        guard let ocr else {
            throw ExtractionFailure(.unsupported, "\(fileName) is an image (\(kind)); images are read only by OCR, which is off")
        }
        guard !bytes.isEmpty else { throw ExtractionFailure(.corrupt, "\(fileName) is empty") }
        Self.silenceLeptonica()
        let settings = ocr.settings
        let isPaged = format == .tiff
        let pageCount = isPaged ? try tiffPageCount(bytes, fileName: fileName) : 1
        if pageCount > limits.maxPages {
            throw ExtractionFailure(.limitExceeded, "\(fileName) has \(pageCount) pages, more than \(limits.maxPages) (maxPages)")
        }
        var problems: [String] = []
        let recognized = min(pageCount, settings.maxPages)
        var pages: [[String]?] = []
        for index in 0..<recognized {
            let place = isPaged ? "page \(index + 1)" : "the image"
            ocr.pageBegins()
            let page = try bytes.withUnsafeBufferPointer { buffer throws(ExtractionFailure) in
                try recognize(buffer, index: isPaged ? index : nil, place: place, fileName: fileName, engine: ocr)
            }
            if let problem = page.problem(place: place, settings: settings) {
                problems.append(problem)
                pages.append(nil)
            } else {
                pages.append(page.lines)
            }
        }
        // A TIFF's pages are laid out as a scanned PDF's: furniture once, page numbers dropped, paragraphs over breaks.
        var flow = PageFlow(furniture: PageFurniture(pages: pages.map { $0 ?? [] }))
        var builder = DocumentBuilder(limits: limits)
        for (index, lines) in pages.enumerated() {
            guard let lines else {
                flow.skip()
                continue
            }
            try flow.add(page: isPaged ? index + 1 : nil, lines: lines.map { ($0, nil) }, isOCR: true, to: &builder)
        }
        builder.endPart()
        if recognized < pageCount {
            problems.append(
                "pages \(recognized + 1)–\(pageCount) were not recognised: [ocr] max_pages is \(settings.maxPages)")
        }
        if builder.isEmpty {
            let reasons = problems.prefix(3).joined(separator: "; ")
            throw ExtractionFailure(.noText, "\(fileName): no text could be recognised (\(reasons))")
        }
        return builder.build(
            format: format, extractor: "image (\(ocr.name))", pageCount: isPaged ? pageCount : nil, problems: problems)
    }

    /// What OCR would read, without reading it: the pages of a TIFF (its directories counted, nothing
    /// decoded), one page for any other image. The indexer recognises them later in a pass.
    static func survey(
        _ bytes: [UInt8], format: DocumentFormat, fileName: String, limits: ExtractionLimits
    ) throws(ExtractionFailure) -> ExtractedDocument {
        guard !bytes.isEmpty else { throw ExtractionFailure(.corrupt, "\(fileName) is empty") }
        Self.silenceLeptonica()
        let isPaged = format == .tiff
        let pageCount = isPaged ? try tiffPageCount(bytes, fileName: fileName) : 1
        if pageCount > limits.maxPages {
            throw ExtractionFailure(.limitExceeded, "\(fileName) has \(pageCount) pages, more than \(limits.maxPages) (maxPages)")
        }
        var document = DocumentBuilder(limits: limits).build(format: format, extractor: "image", pageCount: isPaged ? pageCount : nil)
        document.pagesAwaitingOCR = Array(1...pageCount)
        return document
    }

    /// Decodes the image (or TIFF page `index`) after checking its dimensions, and recognises it.
    private static func recognize(
        _ buffer: UnsafeBufferPointer<UInt8>, index: Int?, place: String, fileName: String, engine: OCREngine
    ) throws(ExtractionFailure) -> OCRPageText {
        guard let base = buffer.baseAddress else { throw ExtractionFailure(.corrupt, "\(fileName) is empty") }
        var width: Int32 = 0, height: Int32 = 0, bitsPerSample: Int32 = 0, samplesPerPixel: Int32 = 0
        var resolution: Int32 = 0, colormap: Int32 = 0, format: Int32 = 0
        let header: Int32 = if let index {
            readHeaderMemTiff(
                base, buffer.count, Int32(index), &width, &height, &bitsPerSample, &samplesPerPixel, &resolution,
                &colormap, &format)
        } else {
            pixReadHeaderMem(base, buffer.count, &format, &width, &height, &bitsPerSample, &samplesPerPixel, &colormap)
        }
        guard header == 0, width > 0, height > 0 else {
            throw ExtractionFailure(.corrupt, "\(fileName) is not a readable image (\(place): its header cannot be read)")
        }
        let pixels = Int(width) * Int(height)
        guard pixels <= engine.settings.maxImagePixels else {
            throw ExtractionFailure(
                .limitExceeded,
                "\(fileName) (\(place)) is \(width)×\(height) pixels, more than \(engine.settings.maxImagePixels) "
                    + "([ocr] max_image_pixels); it is not decoded")
        }
        let decoded: UnsafeMutablePointer<PIX>? = if let index {
            pixReadMemTiff(base, buffer.count, Int32(index))
        } else {
            pixReadMem(base, buffer.count)
        }
        guard var pix = decoded else {
            throw ExtractionFailure(.corrupt, "\(fileName) is not a readable image (\(place) cannot be decoded)")
        }
        // The decoded size is what was allocated: a header that lied about it is refused as well.
        guard Int(pixGetWidth(pix)) * Int(pixGetHeight(pix)) <= engine.settings.maxImagePixels else {
            var doomed: UnsafeMutablePointer<PIX>? = pix
            pixDestroy(&doomed)
            throw ExtractionFailure(.limitExceeded, "\(fileName) (\(place)) decodes to more than its header says")
        }
        // Transparent pixels over white, as a viewer shows them (black text on a transparent
        // background would otherwise be black on black).
        if pixGetSpp(pix) == 4, pixGetDepth(pix) == 32, let blended = pixAlphaBlendUniform(pix, 0xFFFF_FF00) {
            var original: UnsafeMutablePointer<PIX>? = pix
            pixDestroy(&original)
            pix = blended
        }
        defer {
            var owned: UnsafeMutablePointer<PIX>? = pix
            pixDestroy(&owned)
        }
        return engine.recognize(pix: pix)
    }

    /// Pages in a TIFF, counted by walking its directories (nothing is decoded).
    private static func tiffPageCount(_ bytes: [UInt8], fileName: String) throws(ExtractionFailure) -> Int {
        var count: Int32 = 0
        let status = bytes.withUnsafeBytes { raw -> Int32 in
            // fmemopen reads the buffer in place: no descriptor, nothing the sandbox forbids.
            guard let stream = fmemopen(UnsafeMutableRawPointer(mutating: raw.baseAddress), raw.count, "r") else { return 1 }
            defer { fclose(stream) }
            return tiffGetCount(stream, &count)
        }
        guard status == 0, count > 0 else { throw ExtractionFailure(.corrupt, "\(fileName) is not a readable TIFF") }
        return Int(count)
    }

    /// Leptonica reports every decoding error on standard error; the extractor reports them itself.
    static func silenceLeptonica() {
        _ = setMsgSeverity(Int32(L_SEVERITY_NONE))
    }
}
