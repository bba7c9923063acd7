public import Extract

/// `[ocr]` in the configuration: whether scans and images are read by OCR, in which languages, and
/// what one document may cost. On by default when Tesseract's data for the languages is installed.
public struct OCRSetting: Sendable, Equatable {
    /// `enabled`: nil (absent) means on when the language data is found.
    public var isEnabled: Bool?
    public var languages = ["eng"]
    /// Where `<language>.traineddata` lives; nil: `$TESSDATA_PREFIX`, then the distributions' places.
    public var dataDirectory: String?
    public var pageTimeout: Duration = .seconds(60)
    public var maxPages = 100
    public var minConfidence = 40
    /// What the daemon decided at start (set by it); nil until then.
    public var resolution: Resolution?

    public init() {}

    /// Whether OCR runs, with what, or why not: decided once at start, shown by `sotto status`.
    public enum Resolution: Sendable, Equatable {
        case on(OCRSettings)
        case off(reason: String)

        public var settings: OCRSettings? {
            if case .on(let settings) = self { settings } else { nil }
        }
    }

    public func resolve(environment: [String: String]) -> Resolution {
        if isEnabled == false { return .off(reason: "[ocr] enabled = false") }
        let candidates = dataDirectory.map { [$0] } ?? OCRSettings.dataDirectoryCandidates
        let found = OCRSettings.findDataDirectory(
            for: languages, candidates: candidates, environment: dataDirectory == nil ? environment : [:])
        guard let directory = found else {
            let missing = languages.joined(separator: ", ")
            let places = dataDirectory ?? "$TESSDATA_PREFIX or " + OCRSettings.dataDirectoryCandidates.joined(separator: ", ")
            return .off(
                reason: "no Tesseract language data for \(missing) in \(places) (Debian: apt install "
                    + languages.map { "tesseract-ocr-" + $0.replacingOccurrences(of: "_", with: "-").lowercased() }.joined(separator: " ")
                    + ")")
        }
        return .on(OCRSettings(
            languages: languages, dataDirectory: directory, pageTimeoutSeconds: Int(pageTimeout.components.seconds),
            maxPages: maxPages, minConfidence: minConfidence))
    }
}
