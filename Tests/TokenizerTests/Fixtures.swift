import Foundation
import Testing
import TestSupport
import Tokenizer

/// Paths of the committed fixtures and of the installed model, found without SwiftPM resources.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures", isDirectory: true)

    static func url(_ name: String) -> URL {
        directory.appendingPathComponent(name)
    }

    /// The hand-written 47-token BERT tokenizer (`tiny-tokenizer.json`).
    static func tinyTokenizer() throws -> WordPieceTokenizer {
        try WordPieceTokenizer(tokenizerJSON: url("tiny-tokenizer.json"))
    }

    /// Writes `contents` to a fresh temporary file; the caller removes the returned directory.
    static func temporaryFile(named name: String, contents: String) throws -> (directory: URL, file: URL) {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("TokenizerTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent(name)
        try Data(contents.utf8).write(to: file)
        return (directory, file)
    }
}

/// The installed all-MiniLM-L6-v2 (Scripts/fetch-models puts it there; CI fetches it).
enum InstalledModel {
    static var directory: URL { TestModels.url(TestModels.encoder) }
    static var missing: Comment { Comment(rawValue: TestModels.missing(TestModels.encoder)) }

    static var tokenizerJSON: URL { directory.appendingPathComponent("tokenizer.json") }
    static var vocabTXT: URL { directory.appendingPathComponent("vocab.txt") }

    static var isInstalled: Bool {
        FileManager.default.fileExists(atPath: tokenizerJSON.path)
    }
}
