import Testing
@testable import Ingest

struct FileKindTests {
    @Test func verdictsByName() {
        #expect(FileKind.verdict(forFileName: "notes.MD") == .text(.markdown))
        #expect(FileKind.verdict(forFileName: "main.rs") == .text(.code))
        #expect(FileKind.verdict(forFileName: "Dockerfile") == .text(.code))
        #expect(FileKind.verdict(forFileName: "LICENSE") == .text(.plainText))
        #expect(FileKind.verdict(forFileName: "config.toml") == .text(.config))
        #expect(FileKind.verdict(forFileName: "song.mp3") == .binary("mp3"))
        #expect(FileKind.verdict(forFileName: "thesis.docx") == .unsupported("Word"))
        #expect(FileKind.verdict(forFileName: ".bashrc") == .unknown)
        #expect(FileKind.verdict(forFileName: "data.xyz") == .unknown)
    }
}
