import Foundation
import Testing
@testable import GGUF

@Suite struct MappedFileTests {
    func withTemporaryDirectory(_ body: (URL) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try body(dir)
    }

    @Test func mapsTheWholeFile() throws {
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("data")
            let bytes = (0..<10_000).map { UInt8($0 % 256) }
            try Data(bytes).write(to: url)
            let mapped = try MappedFile(path: url.path)
            #expect(Array(mapped.bytes) == bytes)
        }
    }

    @Test func emptyFileMapsToNoBytes() throws {
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("empty")
            try Data().write(to: url)
            #expect(try MappedFile(path: url.path).bytes.isEmpty)
        }
    }

    @Test func refusesMissingFilesAndDirectories() throws {
        try withTemporaryDirectory { dir in
            #expect(throws: GGUFError.unreadable(file: dir.path, reason: "not a regular file")) {
                try MappedFile(path: dir.path)
            }
            let missing = dir.appendingPathComponent("nope").path
            #expect(throws: GGUFError.unreadable(file: missing, reason: "No such file or directory")) {
                try MappedFile(path: missing)
            }
        }
    }
}
