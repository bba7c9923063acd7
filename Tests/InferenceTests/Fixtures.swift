import Foundation
import Testing
import TestSupport
@testable import Inference

/// Where the test fixtures and the optional real models are.
enum Fixtures {
    static var directory: URL {
        Bundle.module.resourceURL?.appendingPathComponent("Fixtures")
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    }

    static var tinyBERT: URL { directory.appendingPathComponent("tiny-bert") }

    static var miniLM: URL { TestModels.url(TestModels.encoder) }
    static var hasMiniLM: Bool { TestModels.isInstalled(TestModels.encoder) }
    static var noMiniLM: Comment { Comment(rawValue: TestModels.missing(TestModels.encoder)) }

    /// The tiny model's expected outputs from Scripts/make-tiny-bert's numpy forward pass.
    struct TinyReference: Decodable {
        let sequences: [[Int32]]
        let mean: [[Float]]
        let cls: [[Float]]
    }

    static func tinyReference() throws -> TinyReference {
        try JSONDecoder().decode(TinyReference.self, from: Data(contentsOf: tinyBERT.appendingPathComponent("reference.json")))
    }

    /// A fresh empty directory under the temporary directory; remove it when done.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("inference-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Copies the tiny model into a temporary directory so a test may damage it.
    static func copyOfTinyBERT() throws -> URL {
        let url = try temporaryDirectory().appendingPathComponent("tiny-bert")
        try FileManager.default.copyItem(at: tinyBERT, to: url)
        return url
    }
}

/// Bytes of a safetensors file assembled by hand, so tests can write broken ones.
struct SafetensorsBuilder {
    var header: String
    var data: [UInt8]
    /// Overrides the 8-byte header length (to lie about it).
    var declaredHeaderLength: UInt64?

    var bytes: [UInt8] {
        let json = Array(header.utf8)
        let length = declaredHeaderLength ?? UInt64(json.count)
        return withUnsafeBytes(of: length.littleEndian) { Array($0) } + json + data
    }

    func write(to url: URL) throws {
        try Data(bytes).write(to: url)
    }

    static func floats(_ values: [Float]) -> [UInt8] {
        values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian) { Array($0) } }
    }
}

func maxAbsoluteDifference(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

func cosine(_ a: [Float], _ b: [Float]) -> Double {
    var dot = 0.0, na = 0.0, nb = 0.0
    for (x, y) in zip(a, b) { dot += Double(x) * Double(y); na += Double(x) * Double(x); nb += Double(y) * Double(y) }
    return dot / max((na * nb).squareRoot(), 1e-30)
}
