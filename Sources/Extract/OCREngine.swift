import CTesseract

/// One Tesseract instance (its C API), loaded with the configured languages.
///
/// It is made before the extraction sandbox closes — loading the language data opens files, which the
/// sandbox then forbids — and used for every page of the one document the child reads. Tesseract's
/// OpenMP threads are held to one by the child's environment (`OMP_THREAD_LIMIT=1`): the indexer
/// runs at most two children (a pass's and OCR's) and the machine's other cores belong to search and answers.
public final class OCREngine {
    public let settings: OCRSettings
    private let api: OpaquePointer
    /// Called as each page (or image) begins, before it is rendered or decoded: the sandboxed child
    /// tells its parent, whose deadline grows by one page time limit for each page actually begun.
    public var pageBegins: () -> Void = {}

    /// Loads the language data of `settings`; a failure says OCR is unavailable and why.
    public init(settings: OCRSettings) throws(ExtractionFailure) {
        let languages = settings.languages.joined(separator: "+")
        guard !settings.languages.isEmpty, let api = TessBaseAPICreate() else {
            throw ExtractionFailure(.unsupported, "OCR could not start: no languages are configured")
        }
        // Tesseract prints a line for every missing file; the reason is said once, below.
        guard TessBaseAPIInit3(api, settings.dataDirectory, languages) == 0 else {
            TessBaseAPIDelete(api)
            throw ExtractionFailure(
                .unsupported, "OCR could not start: no Tesseract data for \(languages) in \(settings.dataDirectory)")
        }
        // The page layout analysis of the `tesseract` command (columns, blocks), not one uniform block.
        TessBaseAPISetPageSegMode(api, PSM_AUTO)
        self.api = api
        self.settings = settings
    }

    deinit {
        TessBaseAPIEnd(api)
        TessBaseAPIDelete(api)
    }

    public static var version: String { String(cString: TessVersion()) }

    /// "tesseract 5.3.0 (eng)", for the document's extractor field.
    public var name: String { "tesseract \(Self.version) (\(settings.languages.joined(separator: "+")))" }

    /// Recognises an image of `width`×`height` pixels of `bytesPerPixel` (1 gray, 3 RGB, 4 RGBA/xRGB)
    /// with rows `bytesPerLine` apart, scanned or rendered at `dpi` (0: unknown, Tesseract estimates).
    func recognize(
        pixels: UnsafePointer<UInt8>, width: Int, height: Int, bytesPerPixel: Int, bytesPerLine: Int, dpi: Int
    ) -> OCRPageText {
        TessBaseAPISetImage(api, pixels, Int32(width), Int32(height), Int32(bytesPerPixel), Int32(bytesPerLine))
        return recognizeImage(dpi: dpi)
    }

    /// Recognises a decoded Leptonica image; its own resolution is used unless `dpi` is given.
    func recognize(pix: UnsafeMutablePointer<PIX>, dpi: Int = 0) -> OCRPageText {
        TessBaseAPISetImage2(api, pix)
        return recognizeImage(dpi: dpi)
    }

    private func recognizeImage(dpi: Int) -> OCRPageText {
        defer { TessBaseAPIClear(api) }
        if dpi > 0 { TessBaseAPISetSourceResolution(api, Int32(dpi)) }
        let timeLimit = Duration.seconds(max(1, settings.pageTimeoutSeconds))
        let monitor = TessMonitorCreate()
        defer { TessMonitorDelete(monitor) }
        let (milliseconds, _) = timeLimit.components.seconds.multipliedReportingOverflow(by: 1000)
        TessMonitorSetDeadlineMSecs(monitor, Int32(clamping: milliseconds))
        let clock = ContinuousClock()
        let started = clock.now
        let status = TessBaseAPIRecognize(api, monitor)
        let timedOut = clock.now - started >= timeLimit
        guard status == 0, !timedOut else {
            return OCRPageText(text: "", meanConfidence: 0, wordCount: 0, timedOut: timedOut)
        }
        var text = ""
        if let raw = TessBaseAPIGetUTF8Text(api) {
            text = String(cString: raw)
            TessDeleteText(raw)
        }
        var wordCount = 0
        if let confidences = TessBaseAPIAllWordConfidences(api) {
            while confidences[wordCount] >= 0 { wordCount += 1 }
            TessDeleteIntArray(confidences)
        }
        let mean = wordCount == 0 ? 0 : Int(TessBaseAPIMeanTextConf(api))
        return OCRPageText(text: text, meanConfidence: mean, wordCount: wordCount, timedOut: false)
    }
}

extension OCREngine {
    /// Recognises a small blank image once, so that what Tesseract sets up on first use (its
    /// networks' buffers, OpenMP's threads) is set up while files may still be opened.
    public func warmUp() {
        let width = 64, height = 32
        let blank = [UInt8](repeating: 255, count: width * height)
        blank.withUnsafeBufferPointer { buffer in
            guard let pixels = buffer.baseAddress else { return }
            _ = recognize(pixels: pixels, width: width, height: height, bytesPerPixel: 1, bytesPerLine: width, dpi: 300)
        }
    }
}
