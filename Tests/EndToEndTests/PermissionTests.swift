import API
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

enum TestUsers {
    static let tools = ["/usr/sbin/useradd", "/usr/sbin/userdel", "/usr/sbin/groupadd", "/usr/sbin/groupdel", "/usr/bin/setpriv", "/usr/bin/setfacl"]
    static let canCreate = geteuid() == 0 && tools.allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
}

/// Real users and groups, made for the test and removed after: each sees in search, ask, documents
/// and status exactly the files they could `cat`, a chmod and a setfacl change that within seconds,
/// and a user outside the admin group cannot change the index.
@Suite(.serialized, .enabled(if: TestUsers.canCreate, "needs root and useradd, groupadd, setpriv, setfacl (Debian packages passwd, util-linux, acl) to run sotto as other users"))
struct PermissionTests {

    /// A word every document holds, so one search asks about all of them.
    static let topic = "zebrafinch"

    /// Users `ann` (in the team group) and `ben` (not), a tree with every kind of permission, and a
    /// daemon (running as root, so it indexes everything) whose socket both may reach.
    final class Fixture: @unchecked Sendable {
        let ann: String
        let ben: String
        let team: String
        let harness: DaemonHarness
        let docs: URL
        let sotto: String

        /// `config` is added to the daemon's configuration; with `teamIsAdmin` the team group is its
        /// `[access] admin_group` (so `config` must not have an `[access]` table then).
        init(config: String = "", teamIsAdmin: Bool = false) throws {
            let suffix = String(UUID().uuidString.prefix(6)).lowercased()
            ann = "st-ann-\(suffix)"
            ben = "st-ben-\(suffix)"
            team = "st-team-\(suffix)"
            harness = try DaemonHarness(config: """
                [index]
                debounce_ms = 100
                [[decoders]]
                name = "echo"
                file = "builtin:echo"
                \(config)
                \(teamIsAdmin ? "[access]\nadmin_group = \"\(team)\"" : "")
                """)
            let (ann, ben, team) = (self.ann, self.ben, self.team)
            try Self.command("/usr/sbin/groupadd", [team])
            try Self.command("/usr/sbin/useradd", ["--no-create-home", "--shell", "/usr/sbin/nologin", "-G", team, ann])
            try Self.command("/usr/sbin/useradd", ["--no-create-home", "--shell", "/usr/sbin/nologin", ben])
            chmod(harness.directory.path, 0o755)
            docs = try harness.makeFolder("docs", files: [
                "ann-only.md": "Ann's \(PermissionTests.topic) notes: the owner alone reads this.\n",
                "team.md": "Team \(PermissionTests.topic) plan, shared with the group.\n",
                "acl-ben.md": "Ben's \(PermissionTests.topic) file, granted by an ACL.\n",
                "world.md": "Everyone's \(PermissionTests.topic) notice.\n",
                "locked/inner.md": "A \(PermissionTests.topic) note behind a closed directory.\n",
            ])
            chmod(docs.path, 0o755)
            let path = docs.path
            try Self.command("/bin/chown", ["\(ann):\(ann)", path + "/ann-only.md"])
            chmod(path + "/ann-only.md", 0o600)
            try Self.command("/bin/chown", ["root:\(team)", path + "/team.md"])
            chmod(path + "/team.md", 0o640)
            chmod(path + "/acl-ben.md", 0o600)
            try Self.command("/usr/bin/setfacl", ["-m", "u:\(ben):r", path + "/acl-ben.md"])
            chmod(path + "/world.md", 0o644)
            chmod(path + "/locked", 0o700)
            chmod(path + "/locked/inner.md", 0o644)
            // The client, where the test users may run it.
            sotto = harness.directory.appendingPathComponent("sotto").path
            try FileManager.default.copyItem(atPath: DaemonHarness.sotto, toPath: sotto)
            chmod(sotto, 0o755)
            try harness.start()
            // The test's socket is open to everyone; the daemon decides what each may see.
            chmod(harness.directory.appendingPathComponent("run").path, 0o755)
            chmod(harness.socketPath, 0o666)
            _ = try harness.cli(["sources", "add", path])
            try harness.waitUntilIdle()
        }

        deinit {
            _ = harness.stop()
            for user in [ann, ben] { try? Self.command("/usr/sbin/userdel", [user]) }
            try? Self.command("/usr/sbin/groupdel", [team])
        }

        static func command(_ executable: String, _ arguments: [String]) throws {
            let result = try DaemonHarness.run(executable, arguments)
            guard result.status == 0 else { throw HarnessError("\(executable) \(arguments): \(result.err)") }
        }

        /// `sotto` run as `user` with the user's groups, as `sudo -u` would.
        func sotto(as user: String, _ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
            try DaemonHarness.run(
                "/usr/bin/setpriv", ["--reuid", user, "--regid", user, "--init-groups", sotto] + arguments + ["--socket", harness.socketPath],
                environment: ["HOME": "/tmp"])
        }

        /// What `user` could `cat`: asked of the kernel by running cat as that user.
        func catable(by user: String) throws -> Set<String> {
            var files: Set<String> = []
            for name in ["ann-only.md", "team.md", "acl-ben.md", "world.md", "locked/inner.md"] {
                let result = try DaemonHarness.run(
                    "/usr/bin/setpriv", ["--reuid", user, "--regid", user, "--init-groups", "/bin/cat", docs.path + "/" + name])
                if result.status == 0 { files.insert(name) }
            }
            return files
        }

        func names(_ paths: [String]) -> Set<String> {
            Set(paths.map { String($0.dropFirst(docs.path.count + 1)) })
        }

        func searched(as user: String) throws -> Set<String> {
            let result = try sotto(as: user, ["search", PermissionTests.topic, "--limit", "50", "--json"])
            guard result.status == 0 else { throw HarnessError("search as \(user): \(result.err)") }
            let response = try WireJSON.makeDecoder().decode(SearchResponse.self, from: Data(result.out.utf8))
            return names(response.hits.map(\.path))
        }
    }

    @Test func eachUserSeesExactlyWhatTheyCouldCat() throws {
        let fixture = try Fixture()
        let everything: Set<String> = ["ann-only.md", "team.md", "acl-ben.md", "world.md", "locked/inner.md"]
        #expect(try fixture.searched(as: "root") == everything, "root sees everything")
        for user in [fixture.ann, fixture.ben] {
            let catable = try fixture.catable(by: user)
            #expect(!catable.isEmpty && catable != everything, "the control: \(user) may cat some files, not all")
            #expect(try fixture.searched(as: user) == catable, "\(user)'s search")

            let ask = try fixture.sotto(as: user, ["ask", "What does the \(PermissionTests.topic) note say?", "--sources", "20", "--no-stream", "--json"])
            #expect(ask.status == 0, "\(ask.err)")
            let result = try WireJSON.makeDecoder().decode(AskResult.self, from: Data(ask.out.utf8))
            #expect(fixture.names((result.sources ?? []).map(\.path)).isSubset(of: catable), "\(user)'s ask sources")
            #expect(!(result.sources ?? []).isEmpty)
            #expect(result.citations.allSatisfy { catable.contains(String($0.path.dropFirst(fixture.docs.path.count + 1))) })

            let documents = try fixture.sotto(as: user, ["documents", "--json"])
            let listing = try WireJSON.makeDecoder().decode(DocumentsResponse.self, from: Data(documents.out.utf8))
            #expect(fixture.names(listing.documents.map(\.path)) == catable)
            #expect(listing.total == catable.count)

            let status = try fixture.sotto(as: user, ["status", "--json"])
            let state = try WireJSON.makeDecoder().decode(StatusResponse.self, from: Data(status.out.utf8))
            let counts = state.counts
            #expect(counts.documents == catable.count && counts.chunks == catable.count, "counts reveal nothing else")
            #expect(state.indexing.total == catable.count && state.indexing.done == catable.count, "nor the indexer's")
            #expect(state.database.sizeBytes == nil, "nor the database's size")
            // Nothing of the others' text anywhere in what the user got back.
            let unseen = everything.subtracting(catable)
            for output in [ask.out, documents.out, status.out] {
                for name in unseen { #expect(!output.contains(name), "\(name) shows in \(user)'s output") }
            }
        }
    }

    /// The OpenAI-compatible chat, the passage reader and the MCP server (a client of both, run as the
    /// user) show a user only what they could `cat`; an unreadable file is refused as one that is not
    /// indexed at all.
    @Test func theOpenAIPassageAndMCPRoutesAreFilteredToo() throws {
        let fixture = try Fixture()
        let ben = fixture.ben
        let catable = try fixture.catable(by: ben)
        let unseen = Set(["ann-only.md", "team.md", "acl-ben.md", "world.md", "locked/inner.md"]).subtracting(catable)
        #expect(!unseen.isEmpty, "the control: some files are hidden from \(ben)")
        func curl(_ path: String, _ body: String) throws -> String {
            try DaemonHarness.run(
                "/usr/bin/setpriv", ["--reuid", ben, "--regid", ben, "--init-groups", "/usr/bin/curl", "-s", "--unix-socket",
                    fixture.harness.socketPath, "-H", "Content-Type: application/json", "-d", body, "http://localhost/v1" + path]
            ).out
        }
        let chat = try curl("/chat/completions", #"{"model": "sotto", "messages": [{"role": "user", "content": "What does the \#(PermissionTests.topic) note say?"}]}"#)
        #expect(chat.contains("\"choices\""), "\(chat)")
        #expect(catable.contains { chat.contains($0) }, "the control: the answer names a readable file: \(chat)")
        for name in unseen { #expect(!chat.contains(name), "\(name) shows in \(ben)'s chat answer") }

        let hidden = try #require(unseen.first)
        let refused = try curl("/passages", #"{"path": "\#(fixture.docs.path)/\#(hidden)"}"#)
        let absent = try curl("/passages", #"{"path": "\#(fixture.docs.path)/no-such-file.md"}"#)
        #expect(refused.contains("\"code\"") && !refused.contains(PermissionTests.topic), "\(refused)")
        #expect(refused.replacingOccurrences(of: hidden, with: "X") == absent.replacingOccurrences(of: "no-such-file.md", with: "X"),
            "an unreadable file is refused as an unknown one: \(refused) / \(absent)")
        let readable = try #require(catable.first)
        #expect(try curl("/passages", #"{"path": "\#(fixture.docs.path)/\#(readable)"}"#).contains(PermissionTests.topic))

        // `sotto mcp` as the user, spoken to over standard input as an agent would.
        let requests = [
            #"{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}}"#,
            #"{"jsonrpc": "2.0", "method": "notifications/initialized"}"#,
            #"{"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "search", "arguments": {"query": "\#(PermissionTests.topic)", "limit": 20}}}"#,
            #"{"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "list_sources", "arguments": {"documents_under": "\#(fixture.docs.path)"}}}"#,
            #"{"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "read_passage", "arguments": {"path": "\#(fixture.docs.path)/\#(hidden)"}}}"#,
        ]
        // Standard input stays open until the three tool calls are answered: the server stops at its end.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid", ben, "--regid", ben, "--init-groups", fixture.sotto, "mcp", "--socket", fixture.harness.socketPath]
        process.environment = ["HOME": "/tmp"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        DispatchQueue.global().asyncAfter(deadline: .now() + 120) { if process.isRunning { process.terminate() } }
        input.fileHandleForWriting.write(Data((requests.joined(separator: "\n") + "\n").utf8))
        var received = Data()
        var replies: [[String: Any]] = []
        while replies.filter({ [2, 3, 4].contains($0["id"] as? Int ?? 0) }).count < 3 {
            let more = output.fileHandleForReading.availableData
            if more.isEmpty { break }
            received += more
            replies = String(decoding: received, as: UTF8.self).split(separator: "\n")
                .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        let mcpOutput = String(decoding: received, as: UTF8.self)
        func text(_ id: Int) -> String? {
            let result = replies.first { $0["id"] as? Int == id }?["result"] as? [String: Any]
            return (result?["content"] as? [[String: Any]])?.compactMap { $0["text"] as? String }.joined()
        }
        let searched = try #require(text(2), "the MCP search answered: \(mcpOutput)")
        let listed = try #require(text(3), "the MCP list_sources answered: \(mcpOutput)")
        let read = try #require(text(4), "the MCP read_passage answered: \(mcpOutput)")
        #expect(catable.allSatisfy { searched.contains($0) }, "\(searched)")
        #expect(catable.allSatisfy { listed.contains($0) }, "\(listed)")
        for name in unseen {
            #expect(!searched.contains(name) && !listed.contains(name), "\(name) shows in \(ben)'s MCP tools")
        }
        #expect(read.contains("not an indexed document") && !read.contains(PermissionTests.topic), "\(read)")
    }

    @Test func chmodAndSetfaclChangeTheAnswerWithinSeconds() throws {
        let fixture = try Fixture()
        #expect(try fixture.searched(as: fixture.ben).contains("world.md"))
        chmod(fixture.docs.path + "/world.md", 0o600)
        #expect(try Self.eventually { try !fixture.searched(as: fixture.ben).contains("world.md") }, "a chmod hides the file")
        #expect(try !fixture.searched(as: fixture.ben).contains("team.md"))
        try Fixture.command("/usr/bin/setfacl", ["-m", "u:\(fixture.ben):r", fixture.docs.path + "/team.md"])
        #expect(try Self.eventually { try fixture.searched(as: fixture.ben).contains("team.md") }, "a setfacl shows it")
    }

    @Test func onlyAdminsChangeTheIndex() throws {
        let fixture = try Fixture()
        let other = try fixture.harness.makeFolder("more", files: ["a.md": "More text.\n"])
        chmod(other.path, 0o755)
        let refused = try fixture.sotto(as: fixture.ben, ["sources", "add", other.path])
        #expect(refused.status == 1)
        #expect(refused.err.contains("403") && refused.err.contains("forbidden"), "\(refused.err)")
        let removal = try fixture.sotto(as: fixture.ann, ["sources", "remove", fixture.docs.path])
        #expect(removal.err.contains("forbidden"), "\(removal.err)")
        let rescan = try fixture.sotto(as: fixture.ann, ["index"])
        #expect(rescan.err.contains("forbidden"), "\(rescan.err)")
        let forget = try fixture.sotto(as: fixture.ann, ["forget", fixture.docs.path + "/ann-only.md"])
        #expect(forget.status == 1 && forget.err.contains("forbidden"), "\(forget.err)")
        #expect(try fixture.harness.cli(["sources", "add", other.path]).status == 0, "root may")
    }

    /// A permission change inside a source takes effect at once: the watcher drops the cached
    /// decisions. Here they would be kept ten minutes, so a change seen within seconds was the
    /// watcher's doing — of a file's mode, its ACL, and a directory's mode above a file.
    @Test func aChangeTheWatcherSeesTakesEffectBeforeTheCacheExpires() throws {
        let fixture = try Fixture(config: "[access]\ncache_seconds = 600\n")
        let before = try fixture.searched(as: fixture.ben)
        #expect(before.contains("world.md") && !before.contains("team.md") && !before.contains("locked/inner.md"))
        chmod(fixture.docs.path + "/world.md", 0o600)
        #expect(try Self.eventually { try !fixture.searched(as: fixture.ben).contains("world.md") }, "a chmod hides the file")
        try Fixture.command("/usr/bin/setfacl", ["-m", "u:\(fixture.ben):r", fixture.docs.path + "/team.md"])
        #expect(try Self.eventually { try fixture.searched(as: fixture.ben).contains("team.md") }, "a setfacl shows it")
        chmod(fixture.docs.path + "/locked", 0o755)
        #expect(try Self.eventually { try fixture.searched(as: fixture.ben).contains("locked/inner.md") }, "opening the directory above shows it")
        #expect(try fixture.searched(as: fixture.ben) == fixture.catable(by: fixture.ben))
    }

    /// A member of the admin group who is not root changes the index; a user outside it gets 403
    /// `forbidden`, over the API as through the CLI.
    @Test func aMemberOfTheAdminGroupChangesTheIndex() throws {
        let fixture = try Fixture(config: "[audit]\nenabled = true\n", teamIsAdmin: true)
        let other = try fixture.harness.makeFolder("more", files: ["a.md": "More \(PermissionTests.topic) text.\n"])
        chmod(other.path, 0o755)
        chmod(other.path + "/a.md", 0o644)
        let refused = try fixture.sotto(as: fixture.ben, ["sources", "add", other.path])
        #expect(refused.status == 1 && refused.err.contains("403") && refused.err.contains("forbidden"), "\(refused.err)")
        let raw = try DaemonHarness.run(
            "/usr/bin/setpriv",
            ["--reuid", fixture.ben, "--regid", fixture.ben, "--init-groups", "/usr/bin/curl", "-s", "--unix-socket", fixture.harness.socketPath,
             "-H", "Content-Type: application/json", "-d", "{\"path\":\"\(other.path)\"}", "http://localhost/v1/sources"])
        #expect(try JSONDecoder().decode(ErrorBody.self, from: Data(raw.out.utf8)).error.code == "forbidden", "\(raw.out)")

        let added = try fixture.sotto(as: fixture.ann, ["sources", "add", other.path])
        #expect(added.status == 0, "ann is in the admin group: \(added.err)")
        try fixture.harness.waitUntilIdle()
        func benFinds() throws -> Bool {
            try fixture.sotto(as: fixture.ben, ["search", PermissionTests.topic, "--limit", "50", "--json"]).out.contains(other.path + "/a.md")
        }
        #expect(try benFinds(), "the folder ann added is indexed")
        let forgotten = try fixture.sotto(as: fixture.ann, ["forget", other.path + "/a.md"])
        #expect(forgotten.status == 0, "\(forgotten.err)")
        #expect(try !benFinds())
        let removed = try fixture.sotto(as: fixture.ann, ["sources", "remove", other.path])
        #expect(removed.status == 0, "\(removed.err)")
        let audit = try fixture.sotto(as: fixture.ann, ["audit", "--json"])
        #expect(audit.status == 0 && audit.out.contains("POST /v1/sources"), "an admin reads the trail: \(audit.err)")
        let notAdmin = try fixture.sotto(as: fixture.ben, ["sources", "remove", fixture.docs.path])
        #expect(notAdmin.status == 1 && notAdmin.err.contains("forbidden"), "\(notAdmin.err)")
    }

    /// With `[access] user_sources = true` a user may add a folder they own and can list, and only that.
    @Test func userSourcesLetAUserAddTheirOwnFolderOnly() throws {
        let fixture = try Fixture(config: "[access]\nuser_sources = true\n")
        let own = try fixture.harness.makeFolder("bens", files: ["mine.md": "Ben's own \(PermissionTests.topic) list.\n"])
        try Fixture.command("/bin/chown", ["-R", "\(fixture.ben):\(fixture.ben)", own.path])
        chmod(own.path, 0o700)
        let others = try fixture.harness.makeFolder("roots", files: ["a.md": "Root's text.\n"])
        chmod(others.path, 0o755)
        let refused = try fixture.sotto(as: fixture.ben, ["sources", "add", others.path])
        #expect(refused.status == 1 && refused.err.contains("forbidden"), "\(refused.err)")
        let added = try fixture.sotto(as: fixture.ben, ["sources", "add", own.path])
        #expect(added.status == 0, "\(added.err)")
        try fixture.harness.waitUntilIdle()
        let annSees = try fixture.sotto(as: fixture.ann, ["search", PermissionTests.topic, "--limit", "50", "--json"])
        #expect(annSees.status == 0 && !annSees.out.contains("mine.md"), "a user's folder is shown by its permissions: \(annSees.out)")
        let benSees = try fixture.sotto(as: fixture.ben, ["search", PermissionTests.topic, "--limit", "50", "--json"])
        #expect(benSees.out.contains(own.path + "/mine.md"), "\(benSees.out)")
    }

    @Test func theAuditTrailRecordsWhoAskedWhatAndWhichDocumentsNeverTheAnswers() throws {
        let fixture = try Fixture(config: "[audit]\nenabled = true\n")
        #expect(try fixture.searched(as: fixture.ann) == fixture.catable(by: fixture.ann))
        let question = "What does the \(PermissionTests.topic) notice say?"
        let ask = try fixture.sotto(as: fixture.ben, ["ask", question, "--no-stream", "--json"])
        #expect(ask.status == 0, "\(ask.err)")

        let all = try fixture.harness.cli(["audit", "--json"])
        #expect(all.status == 0, "\(all.err)")
        let records = try all.out.split(separator: "\n").map { try WireJSON.makeDecoder().decode(AuditRecord.self, from: Data($0.utf8)) }
        let search = try #require(records.first { $0.user == fixture.ann && $0.endpoint == "POST /v1/search" })
        #expect(search.query == PermissionTests.topic && search.status == 200)
        let annCatable = try fixture.catable(by: fixture.ann)
        #expect(fixture.names(search.documents ?? []) == annCatable)
        #expect(search.uid == (try #require(getpwnam(fixture.ann))).pointee.pw_uid)
        let asked = try #require(records.first { $0.user == fixture.ben && $0.endpoint == "POST /v1/ask" })
        #expect(asked.query == question)
        let benCatable = try fixture.catable(by: fixture.ben)
        #expect(!(asked.documents ?? []).isEmpty && fixture.names(asked.documents ?? []).isSubset(of: benCatable))
        // The trail holds no answer and no passage: the echo decoder's answer quotes the sources.
        let trail = try String(contentsOfFile: fixture.harness.directory.appendingPathComponent("state/audit.jsonl").path, encoding: .utf8)
        #expect(!trail.contains("says") && !trail.contains("Everyone's") && !trail.contains("granted by an ACL"))

        let annOnly = try fixture.harness.cli(["audit", "--json", "--user", fixture.ann])
        #expect(!annOnly.out.isEmpty && !annOnly.out.contains(fixture.ben))
        #expect(try fixture.harness.cli(["audit", "--since", "2099-01-01"]).out.isEmpty)
        let refused = try fixture.sotto(as: fixture.ben, ["audit"])
        #expect(refused.status == 1 && refused.err.contains("forbidden"), "\(refused.err)")
    }

    /// Polls `condition` for up to 10 s (the permission cache keeps a decision 2 s).
    static func eventually(_ condition: () throws -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if try condition() { return true }
            usleep(250_000)
        }
        return false
    }
}
