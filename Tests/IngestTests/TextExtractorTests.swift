import Foundation
import Glibc
import Testing
@testable import Ingest

struct TextExtractorTests {
    let extractor = TextExtractor()

    @Test func utf8File() throws {
        let tree = try TemporaryTree()
        let path = try tree.write("notes.md", "# Caf\u{e9}\r\n\r\nText\n")
        let extracted = try extractor.extract(path: path)
        #expect(extracted.text == "# Caf\u{e9}\r\n\r\nText\n")
        #expect(extracted.encoding == .utf8)
        #expect(extracted.kind == .markdown)
        #expect(extracted.byteCount == 16)
        #expect(extracted.contentHash == ContentHash.sha256Hex(Array("# Caf\u{e9}\r\n\r\nText\n".utf8)))
    }

    @Test func utf8WithByteOrderMark() throws {
        let tree = try TemporaryTree()
        let path = try tree.write("a.txt", bytes: [0xEF, 0xBB, 0xBF] + Array("h\u{e9}".utf8))
        let extracted = try extractor.extract(path: path)
        #expect(extracted.text == "h\u{e9}")
        #expect(extracted.encoding == .utf8BOM)
        #expect(extracted.fileOffsets(forUTF8Offsets: [0, 1, 3]) == [3, 4, 6])
    }

    @Test func utf16LittleAndBigEndian() throws {
        let tree = try TemporaryTree()
        let text = "a\u{e9}\u{1F600}\n"
        let units = Array(text.utf16)
        let little: [UInt8] = [0xFF, 0xFE] + units.flatMap { unit -> [UInt8] in [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let big: [UInt8] = [0xFE, 0xFF] + units.flatMap { unit -> [UInt8] in [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
        let le = try extractor.extract(path: tree.write("le.txt", bytes: little))
        let be = try extractor.extract(path: tree.write("be.txt", bytes: big))
        #expect(le.text == text)
        #expect(be.text == text)
        #expect(le.encoding == .utf16LE)
        #expect(be.encoding == .utf16BE)
        // "a" 1 byte, "é" 2, the emoji 4, "\n" 1 in UTF-8; 2, 2, 4, 2 in UTF-16 after the 2-byte mark.
        #expect(le.fileOffsets(forUTF8Offsets: [0, 1, 3, 7, 8]) == [2, 4, 6, 10, 12])
    }

    @Test func latin1FallbackWithExactOffsets() throws {
        let tree = try TemporaryTree()
        // "Café crème\n" in Latin-1: é = 0xE9, è = 0xE8.
        let bytes: [UInt8] = [0x43, 0x61, 0x66, 0xE9, 0x20, 0x63, 0x72, 0xE8, 0x6D, 0x65, 0x0A]
        let extracted = try extractor.extract(path: tree.write("old.txt", bytes: bytes))
        #expect(extracted.encoding == .latin1)
        #expect(extracted.text == "Caf\u{e9} cr\u{e8}me\n")
        let utf8 = Array(extracted.text.utf8)
        let start = try #require(utf8.firstIndex(of: UInt8(ascii: "c")))
        #expect(extracted.fileOffsets(forUTF8Offsets: [0, start, utf8.count]) == [0, 5, 11])
    }

    @Test func binaryByNulBytesAndByExtension() throws {
        let tree = try TemporaryTree()
        let nul = try tree.write("data.txt", bytes: [0x61, 0x00, 0x62])
        #expect(throws: ExtractionError.binary(reason: "contains NUL bytes")) { try extractor.extract(path: nul) }
        // (Images are documents now, read by OCR in the sandbox; a video is still binary.)
        let video = try tree.write("clip.MP4", "not really a video")
        #expect(throws: ExtractionError.binary(reason: ".mp4 files are binary")) { try extractor.extract(path: video) }
        let controls = try tree.write("blob", bytes: [UInt8](repeating: 0x01, count: 100) + Array("text".utf8))
        #expect(throws: ExtractionError.binary(reason: "contains control characters")) { try extractor.extract(path: controls) }
    }

    @Test func documentFormatsAreUnsupportedNotBinary() throws {
        let tree = try TemporaryTree()
        let pdf = try tree.write("report.pdf", "%PDF-1.7")
        #expect(throws: ExtractionError.unsupportedType("PDF")) { try extractor.extract(path: pdf) }
        let disguised = try tree.write("report", "%PDF-1.7\n")
        #expect(throws: ExtractionError.unsupportedType("PDF")) { try extractor.extract(path: disguised) }
    }

    @Test func emptyFileIsEmptyText() throws {
        let tree = try TemporaryTree()
        let extracted = try extractor.extract(path: tree.write("empty.txt", ""))
        #expect(extracted.text == "")
        #expect(extracted.byteCount == 0)
        #expect(extracted.encoding == .utf8)
        #expect(extracted.contentHash == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func tooLargeIsRefusedBeforeReading() throws {
        let tree = try TemporaryTree()
        let path = try tree.write("big.txt", String(repeating: "x", count: 2000))
        #expect(throws: ExtractionError.tooLarge(size: 2000, limit: 1000)) {
            try TextExtractor(maxFileSize: 1000).extract(path: path)
        }
    }

    @Test func vanishedAndNotRegular() throws {
        let tree = try TemporaryTree()
        #expect(throws: ExtractionError.vanished) { try extractor.extract(path: tree.url("gone.txt")) }
        try tree.makeDirectory("dir")
        #expect(throws: ExtractionError.notRegularFile) { try extractor.extract(path: tree.url("dir")) }
        #expect(mkfifo(tree.url("pipe"), 0o644) == 0)
        // Must not block waiting for a writer.
        #expect(throws: ExtractionError.notRegularFile) { try extractor.extract(path: tree.url("pipe")) }
    }

    @Test func unreadableFile() throws {
        let tree = try TemporaryTree()
        let path = try tree.write("secret.txt", "x")
        #expect(chmod(path, 0) == 0)
        // Root reads any file (CAP_DAC_OVERRIDE); the check only means something for other users.
        if geteuid() != 0 {
            #expect(throws: ExtractionError.unreadable(reason: "permission denied")) { try extractor.extract(path: path) }
        } else {
            #expect(try extractor.extract(path: path).text == "x")
        }
    }

    @Test func kindFromNameOrContent() throws {
        let tree = try TemporaryTree()
        #expect(try extractor.extract(path: tree.write("a.rst", "x")).kind == .restructuredText)
        #expect(try extractor.extract(path: tree.write("a.swift", "x")).kind == .code)
        #expect(try extractor.extract(path: tree.write("a.yaml", "x")).kind == .config)
        #expect(try extractor.extract(path: tree.write("Makefile", "all:")).kind == .code)
        #expect(try extractor.extract(path: tree.write("README", "# Title\n")).kind == .markdown)
        #expect(try extractor.extract(path: tree.write("run", "#!/bin/sh\n# comment\n")).kind == .code)
        #expect(try extractor.extract(path: tree.write("notes", "just words\n")).kind == .plainText)
        #expect(try extractor.extract(path: tree.write("x.txt", "# not markdown\n")).kind == .plainText)
    }
}
