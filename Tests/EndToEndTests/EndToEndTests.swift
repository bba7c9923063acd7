import API
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// End-to-end tests: the real `sottod` binary on a temporary socket, driven by the real `sotto`
/// binary and by HTTP. Serialized: each starts daemons, and the machine has two cores.
@Suite(.serialized) struct EndToEndTests {
    static let documents: [String: String] = [
        "contracts/berlin-lease.md": """
            # Commercial lease: Berlin office

            ## Parties
            The landlord is Spreeufer Immobilien GmbH. The tenant is Quillfeather Labs.

            ## Term
            The lease begins on 1 March 2024 and ends on 28 February 2029.
            Notice of termination must be given six months in advance.

            ## Rent
            The monthly rent is 4,850 EUR, payable on the third working day of each month.
            """,
        "notes/standup.txt": "Standup notes.\n\nAda is refactoring the invoice exporter.\nGrace reviews the backup script.\n",
        "code/backup.sh": "#!/bin/sh\n# nightly backup of the photo archive\nrsync -a /srv/photos /mnt/backup/photos\n",
    ]

    @Test func indexesAFolderAndSearchesItThroughTheCLI() throws {
        let harness = try DaemonHarness()
        let folder = try harness.makeFolder("docs", files: Self.documents)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent(".git"), withIntermediateDirectories: true)
        try "secret lease words".write(to: folder.appendingPathComponent(".git/config"), atomically: true, encoding: .utf8)
        // A binary file nothing reads (HEIC photos are not OCR'd; PNG and JPEG are, OCRTests).
        try Data([0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 1, 2, 3]).write(to: folder.appendingPathComponent("photo.heic"))
        try harness.start()

        let added = try harness.cli(["sources", "add", folder.path])
        #expect(added.status == 0, "\(added.err)")
        #expect(added.out.contains("added \(folder.path)"))

        let index = try harness.cli(["index"])
        #expect(index.status == 0, "\(index.err)")
        #expect(index.out.contains("done: "))

        let search = try harness.cli(["search", "when does the lease end", "--limit", "3"])
        #expect(search.status == 0, "\(search.err)")
        let firstLine = search.out.split(separator: "\n").first.map(String.init) ?? ""
        #expect(firstLine.hasPrefix(folder.path + "/contracts/berlin-lease.md:"), "\(search.out)")
        #expect(search.out.contains("[lease]") || search.out.contains("[ends]"), "matches are marked off a terminal: \(search.out)")
        #expect(!search.out.contains(".git/config"))

        let json = try harness.cli(["search", "backup", "--json"])
        #expect(json.status == 0)
        let response = try WireJSON.makeDecoder().decode(SearchResponse.self, from: Data(json.out.utf8))
        let hit = try #require(response.hits.first)
        // The byte range is the chunk's place in the file: reading those bytes gives the chunk's text.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: hit.path))
        #expect(String(decoding: bytes[hit.byteStart..<hit.byteEnd], as: UTF8.self) == hit.text)
        #expect(hit.lineStart >= 1 && hit.lineEnd >= hit.lineStart)

        let status = try harness.cli(["status"])
        #expect(status.status == 0)
        #expect(status.out.contains("sottod"))
        #expect(status.out.contains(harness.socketPath))
        #expect(status.out.contains(harness.databasePath))
        #expect(status.out.contains("documents  4: 3 indexed, 0 failed, 1 skipped"), "\(status.out)")

        let documents = try harness.cli(["documents"])
        #expect(documents.out.contains("skipped  \(folder.path)/photo.heic"), "\(documents.out)")
        #expect(documents.out.contains("indexed  \(folder.path)/contracts/berlin-lease.md"))

        let list = try harness.cli(["sources", "list"])
        #expect(list.out.contains(folder.path))
        #expect(list.out.contains("4 documents"), "\(list.out)")

        let removed = try harness.cli(["sources", "remove", folder.path])
        #expect(removed.status == 0)
        #expect(removed.out.contains("4 documents"))
        let after = try harness.client.status()
        #expect(after.counts.documents == 0 && after.counts.chunks == 0 && after.counts.roots == 0)
        #expect(harness.stop() == 0)
    }

    @Test func socketAndFolderPermissions() throws {
        let harness = try DaemonHarness()
        try harness.start()
        var info = stat()
        #expect(stat(harness.socketPath, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o660)
        #expect(stat((harness.socketPath as NSString).deletingLastPathComponent, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o750)
        #expect(stat(harness.databasePath, &info) == 0)
        #expect(info.st_mode & 0o077 == 0, "the database holds document text: no access for group or others")
        #expect(harness.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: harness.socketPath), "the socket is removed on exit")
    }

    @Test func aSecondDaemonDoesNotStealALiveSocket() throws {
        let harness = try DaemonHarness()
        try harness.start()
        let second = try DaemonHarness.run(
            DaemonHarness.sottod, ["--config", harness.configPath, "--socket", harness.socketPath, "--database", harness.databasePath + "2"])
        #expect(second.status != 0)
        #expect(second.err.contains("already listening on \(harness.socketPath)"), "\(second.err)")
        #expect((try? harness.client.status()) != nil, "the first daemon still answers")
        #expect(harness.stop() == 0)
    }

    @Test func aStaleSocketFromACrashIsReplaced() throws {
        let harness = try DaemonHarness()
        try harness.start()
        #expect(harness.stop(signal: SIGKILL) != nil)
        #expect(FileManager.default.fileExists(atPath: harness.socketPath), "kill -9 leaves the socket file behind")
        try harness.start()
        #expect((try? harness.client.status()) != nil)
        #expect(harness.stop() == 0)
    }

    @Test func theClientExplainsWhenTheDaemonIsNotRunning() throws {
        let socket = "/tmp/sotto-none-\(UUID().uuidString.prefix(8))/sotto.sock"
        for command in [["status"], ["search", "x"], ["sources", "list"], ["index"], ["documents"]] {
            let result = try DaemonHarness.run(DaemonHarness.sotto, command + ["--socket", socket])
            #expect(result.status == 3, "\(command)")
            #expect(result.err.contains("sottod is not running on \(socket); start it with"), "\(result.err)")
        }
        let viaEnvironment = try DaemonHarness.run(DaemonHarness.sotto, ["status"], environment: ["SOTTO_SOCKET": socket])
        #expect(viaEnvironment.err.contains(socket))
    }

    @Test func serverErrorsAreShownWithTheirMessage() throws {
        let harness = try DaemonHarness()
        try harness.start()
        let missing = try harness.cli(["sources", "add", harness.directory.appendingPathComponent("nope").path])
        #expect(missing.status == 1)
        #expect(missing.err.contains("root_not_found"), "\(missing.err)")
        let notAFolder = try harness.cli(["sources", "add", harness.configPath])
        #expect(notAFolder.err.contains("root_not_directory"))
        let unknown = try harness.cli(["sources", "remove", "/definitely/not/a/source"])
        #expect(unknown.status == 1)
        #expect(unknown.err.contains("unknown_root"))
        let badMode = try harness.cli(["search", "x", "--mode", "fuzzy"])
        #expect(badMode.status != 0)
        #expect(harness.stop() == 0)
    }

    @Test func helpTextDescribesEveryCommand() throws {
        let help = try DaemonHarness.run(DaemonHarness.sotto, ["--help"])
        for command in ["status", "sources", "index", "search", "ask", "chat", "documents"] {
            #expect(help.out.contains(command))
        }
        let askHelp = try DaemonHarness.run(DaemonHarness.sotto, ["ask", "--help"])
        for option in ["--model", "--sources", "--temperature", "--max-tokens", "--path", "--no-stream", "--json", "--quiet"] {
            #expect(askHelp.out.contains(option), "\(option)")
        }
        let searchHelp = try DaemonHarness.run(DaemonHarness.sotto, ["search", "--help"])
        #expect(searchHelp.out.contains("--limit") && searchHelp.out.contains("--json") && searchHelp.out.contains("--mode"))
        let daemonHelp = try DaemonHarness.run(DaemonHarness.sottod, ["--help"])
        for flag in ["--config", "--socket", "--database", "--models"] {
            #expect(daemonHelp.out.contains(flag), "\(daemonHelp.out)")
        }
    }
}
