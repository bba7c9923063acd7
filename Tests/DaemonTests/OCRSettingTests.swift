import Extract
import Foundation
import Testing
@testable import Daemon

@Suite struct OCRSettingTests {
    let environment = ["HOME": "/home/u", "XDG_RUNTIME_DIR": "/run/user/1000"]

    /// A folder holding `<language>.traineddata` files (empty: only their presence is looked at).
    func dataFolder(_ languages: [String]) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tessdata-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for language in languages {
            try Data().write(to: folder.appendingPathComponent(language + ".traineddata"))
        }
        return folder.path
    }

    @Test func settingsAreReadAndRangeChecked() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ocr-\(UUID().uuidString).toml").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "[ocr]\nenabled = true\nlanguages = [\"eng\", \"chi_sim\"]\ndata_dir = \"~/tessdata\"\npage_timeout = 20\nmax_pages = 7\nmin_confidence = 55\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let configured = try DaemonConfiguration.load(file: file, socket: nil, database: nil, models: nil, environment: environment)
        #expect(configured.ocr.isEnabled == true)
        #expect(configured.ocr.languages == ["eng", "chi_sim"])
        #expect(configured.ocr.dataDirectory == "/home/u/tessdata")
        #expect(configured.ocr.pageTimeout == .seconds(20))
        #expect(configured.ocr.maxPages == 7 && configured.ocr.minConfidence == 55)
        for bad in ["[ocr]\nmax_pages = 0\n", "[ocr]\nlanguages = []\n", "[ocr]\nlanguages = [\"../etc/passwd\"]\n", "[ocr]\nlanguage = [\"eng\"]\n"] {
            try bad.write(toFile: file, atomically: true, encoding: .utf8)
            #expect(throws: ConfigurationError.self) {
                try DaemonConfiguration.load(file: file, socket: nil, database: nil, models: nil, environment: environment)
            }
        }
    }

    @Test func onByDefaultWhenTheLanguageDataIsInstalled() throws {
        let folder = try dataFolder(["eng", "deu"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var setting = OCRSetting()
        setting.dataDirectory = folder
        let settings = try #require(setting.resolve(environment: [:]).settings)
        #expect(settings.dataDirectory == folder && settings.languages == ["eng"])
        #expect(settings.pageTimeoutSeconds == 60 && settings.maxPages == 100)
        setting.languages = ["eng", "fra"]
        guard case .off(let reason) = setting.resolve(environment: [:]) else {
            Issue.record("OCR is on without data for fra")
            return
        }
        #expect(reason.contains("no Tesseract language data for eng, fra"))
        #expect(reason.contains("tesseract-ocr-fra"))
        setting.languages = ["eng"]
        setting.isEnabled = false
        #expect(setting.resolve(environment: [:]) == .off(reason: "[ocr] enabled = false"))
    }

    @Test func tessdataPrefixIsLookedAtFirst() throws {
        let folder = try dataFolder(["eng"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let found = OCRSettings.findDataDirectory(for: ["eng"], candidates: ["/nonexistent"], environment: ["TESSDATA_PREFIX": folder])
        #expect(found == folder)
        #expect(OCRSettings.findDataDirectory(for: ["eng"], candidates: ["/nonexistent"]) == nil)
        #expect(OCRSettings.installedLanguages(in: folder) == ["eng"])
    }

    /// A runner with a 60 s timeout and OCR on, resolved from English data in a temporary folder
    /// (removed once resolved: the tests read only the limits and arguments it gives).
    private func ocrExtractor(maxPages: Int, pageTimeoutSeconds: Int) throws -> SandboxedExtractor {
        let folder = try dataFolder(["eng"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var setting = OCRSetting()
        setting.dataDirectory = folder
        setting.maxPages = maxPages
        setting.pageTimeout = .seconds(pageTimeoutSeconds)
        return SandboxedExtractor.sottod(timeout: .seconds(60), ocr: setting.resolve(environment: [:]))
    }

    @Test func aDocumentThatMayNeedOCRGetsPageTimeForEveryPage() throws {
        let extractor = try ocrExtractor(maxPages: 10, pageTimeoutSeconds: 30)
        #expect(extractor.timeout(for: .pdf) == .seconds(60 + 10 * 30))
        #expect(extractor.timeout(for: .png) == .seconds(360))
        #expect(extractor.timeout(for: .docx) == .seconds(60))
        #expect(extractor.cpuLimitSeconds(for: .docx) == 90 && extractor.cpuLimitSeconds(for: .tiff) == 390)
        let arguments = extractor.arguments(.png, "scan.png")
        #expect(arguments.contains("--ocr"))
        #expect(!extractor.arguments(.docx, "a.docx").contains("--ocr"))
        let off = SandboxedExtractor.sottod(timeout: .seconds(60), ocr: .off(reason: "test"))
        #expect(off.timeout(for: .pdf) == .seconds(60) && !off.arguments(.pdf, "a.pdf").contains("--ocr"))
    }

    @Test func theCPULimitStaysWithinWhatTheChildAccepts() throws {
        let extractor = try ocrExtractor(maxPages: 100, pageTimeoutSeconds: 900)
        let arguments = extractor.arguments(.pdf, "scan.pdf")
        let limit = arguments.firstIndex(of: "--cpu-limit-seconds").flatMap { arguments.indices.contains($0 + 1) ? Int(arguments[$0 + 1]) : nil }
        #expect(limit == SandboxedExtractor.maxCPULimitSeconds)
        #expect(extractor.timeout(for: .pdf) == .seconds(60 + 100 * 900))
    }

    @Test func withOCROffAnImageIsSkippedWithoutAChild() async throws {
        // The executable does not exist: were a child started, the result would say it could not start.
        let extractor = SandboxedExtractor.sottod(executable: "/nonexistent/sottod", ocr: .off(reason: "no data"))
        let result = await extractor.extract(descriptor: 0, format: .jpeg, fileName: "receipt.jpg")
        guard case .failure(.unreadable(let failure)) = result else {
            Issue.record("expected an unsupported image, got \(result)")
            return
        }
        #expect(failure.code == .unsupported)
        #expect(failure.message == "receipt.jpg is an image; images are read only by OCR, which is off: no data")
    }
}
