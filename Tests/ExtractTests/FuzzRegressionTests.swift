import Foundation
import Testing
@testable import Extract

/// Inputs Scripts/fuzz-extractors found (Fixtures/fuzz, format by extension): each must give a
/// document or an ExtractionFailure — before the fix, each one trapped the extractor.
@Suite struct FuzzRegressionTests {
    static let inputs: [String] = {
        guard let directory = Fixtures.directory?.appendingPathComponent("fuzz"),
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        return names.sorted()
    }()

    @Test func inputsArePresent() {
        #expect(Self.inputs.count >= 7)
    }

    @Test(arguments: inputs)
    func readsOrFailsAsData(name: String) throws {
        let bytes = try Fixtures.bytes("fuzz/" + name)
        let format = try #require(DocumentFormat(rawValue: String(name.split(separator: ".").last ?? "")))
        do {
            let document = try Extraction.extract(bytes, format: format, fileName: name)
            #expect(document.partsAreWellFormed)
        } catch {
            #expect(!error.message.isEmpty)
        }
    }

    @Test func zipOffsetsPastTheEndAreCorrupt() {
        // A ZIP whose end record points its central directory past the end of the file.
        var zip = [UInt8](repeating: 0, count: 22)
        zip[0...3] = [0x50, 0x4B, 0x05, 0x06]
        zip[10] = 1
        zip[12] = 46
        zip[16...19] = [0xFF, 0xFF, 0x00, 0x00]
        #expect(failure { _ = try Extraction.extract(zip, format: .docx, fileName: "x.docx") }?.code == .corrupt)
    }
}
