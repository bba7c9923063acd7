import Extract
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
        #expect(FileKind.verdict(forFileName: "thesis.docx") == .document(.docx))
        #expect(FileKind.verdict(forFileName: "Page.XHTML") == .document(.html))
        #expect(FileKind.verdict(forFileName: "old.doc") == .unsupported("Word 97–2003"))
        #expect(FileKind.verdict(forFileName: ".bashrc") == .unknown)
        #expect(FileKind.verdict(forFileName: "data.xyz") == .unknown)
    }

    @Test(arguments: [
        ("/d/contract.pdf", DocumentFormat.pdf), ("/d/a.DOCX", .docx), ("/d/a.odt", .odt), ("/d/a.rtf", .rtf),
        ("/d/a.pptx", .pptx), ("/d/a.odp", .odp), ("/d/a.xlsx", .xlsx), ("/d/a.ods", .ods), ("/d/a.csv", .csv),
        ("/d/a.tsv", .tsv), ("/d/a.html", .html), ("/d/a.htm", .html), ("/d/a.xhtml", .html), ("/d/a.epub", .epub),
        ("/d/a.eml", .eml), ("/d/Inbox.mbox", .mbox), ("/d/a.ipynb", .ipynb),
        ("/mail/Inbox/cur/1700000000.M12P34.host:2,S", .eml), ("/mail/Inbox/new/1700000001.M1P2.host", .eml),
    ])
    func documentFormatsByPath(path: String, format: DocumentFormat) {
        #expect(FileKind.documentFormat(forPath: path) == format)
    }

    @Test func textStaysInProcess() {
        #expect(FileKind.documentFormat(forPath: "/d/notes.md") == nil)
        #expect(FileKind.documentFormat(forPath: "/d/main.swift") == nil)
        // A file named like a number in a folder that happens to be called "new" is no Maildir message.
        #expect(FileKind.documentFormat(forPath: "/d/new/2024.txt") == nil)
        #expect(FileKind.documentFormat(forPath: "/d/cur/README") == nil)
    }
}
