import Glibc

/// How text is recognised in images (`[ocr]` in the daemon's configuration): which languages, where
/// their data is, and what one document may cost. Crosses to the sandboxed child as JSON.
public struct OCRSettings: Sendable, Codable, Equatable {
    /// Tesseract language codes (`eng`, `deu`, `fra`, `chi_sim`, …), all used together on every page.
    public var languages: [String]
    /// The directory holding `<language>.traineddata` for each of `languages`.
    public var dataDirectory: String
    /// Wall-clock seconds Tesseract may spend recognising one page; past it the page is a problem.
    public var pageTimeoutSeconds: Int
    /// Most pages (PDF pages, TIFF pages) recognised in one document; the rest are listed as a problem.
    public var maxPages: Int
    /// Tesseract's mean word confidence (0–100) below which a page's text is not indexed (it would be
    /// mostly recognition errors) but recorded as a problem with its page number.
    public var minConfidence: Int
    /// A PDF page whose text layer has fewer non-space characters than this is recognised instead
    /// (scanners often add a page number or a stamp as text over the image).
    public var minTextCharacters: Int
    /// Resolution PDF pages are rendered at; Tesseract does best with glyphs ~20–40 px high (300 dpi).
    public var dpi: Int
    /// Largest image, in pixels, decoded or rendered (a page is rendered at a lower resolution instead).
    public var maxImagePixels: Int

    public init(
        languages: [String] = ["eng"], dataDirectory: String, pageTimeoutSeconds: Int = 60, maxPages: Int = 100,
        minConfidence: Int = 40, minTextCharacters: Int = 32, dpi: Int = 300, maxImagePixels: Int = 40_000_000
    ) {
        self.languages = languages
        self.dataDirectory = dataDirectory
        self.pageTimeoutSeconds = pageTimeoutSeconds
        self.maxPages = maxPages
        self.minConfidence = minConfidence
        self.minTextCharacters = minTextCharacters
        self.dpi = dpi
        self.maxImagePixels = maxImagePixels
    }

    /// Where Debian, Fedora, Arch and a source build put Tesseract's language data, in that order
    /// after `$TESSDATA_PREFIX`.
    public static let dataDirectoryCandidates = [
        "/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata", "/usr/share/tessdata",
        "/usr/local/share/tessdata",
    ]

    /// The first directory (of `candidates`, after `$TESSDATA_PREFIX`) holding data for all of
    /// `languages`, or nil when none does (OCR is then off).
    public static func findDataDirectory(
        for languages: [String], candidates: [String] = dataDirectoryCandidates,
        environment: [String: String] = [:]
    ) -> String? {
        var directories = candidates
        if let prefix = environment["TESSDATA_PREFIX"], !prefix.isEmpty { directories.insert(prefix, at: 0) }
        return directories.first { directory in
            !languages.isEmpty && languages.allSatisfy { access(directory + "/" + $0 + ".traineddata", R_OK) == 0 }
        }
    }

    /// The language codes that have data in `directory`, sorted (`osd`, the script detector, left out).
    public static func installedLanguages(in directory: String) -> [String] {
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".traineddata") {
                let code = String(name.dropLast(".traineddata".count))
                if code != "osd" { names.append(code) }
            }
        }
        return names.sorted()
    }
}
