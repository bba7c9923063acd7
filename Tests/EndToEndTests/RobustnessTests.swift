import API
import Foundation
import Storage
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension EndToEndTests {
    /// A folder of `count` small Markdown files spread over subfolders.
    static func makeManyFiles(in harness: DaemonHarness, count: Int, name: String = "many") throws -> URL {
        var files: [String: String] = [:]
        for i in 0..<count {
            let paragraphs = (0..<(1 + i % 4)).map { p in
                "Paragraph \(p) of note \(i) mentions topic\(i % 37) and the shared word harbour. "
                    + String(repeating: "filler\(p) ", count: 20 + (i % 50))
            }
            files["d\(i % 17)/note-\(i).md"] = "# Note \(i)\n\n" + paragraphs.joined(separator: "\n\n") + "\n"
        }
        return try harness.makeFolder(name, files: files)
    }

    /// Everything the index holds, as comparable rows.
    static func snapshot(of databasePath: String) async throws -> [String] {
        let store = try Store(path: databasePath)
        defer { try? store.close() }
        let chunks = try await store.allChunks().map { row in
            "\(row.path)#\(row.chunk.ordinal) \(row.chunk.byteStart)-\(row.chunk.byteEnd) \(row.chunk.lineStart)-\(row.chunk.lineEnd) \(row.chunk.section ?? "") \(row.chunk.text)"
        }
        var documents: [String] = []
        var offset = 0
        while true {
            let page = try await store.listDocuments(status: nil, pathPrefix: nil, limit: 1000, offset: offset)
            if page.documents.isEmpty { break }
            documents += page.documents.map { "\($0.path) \($0.status) \($0.contentHash ?? "-") \($0.chunkCount)" }
            offset += page.documents.count
        }
        return documents.sorted() + chunks.sorted()
    }

    @Test func killDashNineMidIndexingThenRestartConverges() async throws {
        let harness = try DaemonHarness()
        let folder = try Self.makeManyFiles(in: harness, count: 3000)
        try harness.start()
        _ = try harness.client.addSource(SourceRequest(path: folder.path))
        // Wait until indexing is well under way, then kill without warning.
        let deadline = Date().addingTimeInterval(60)
        var indexedBeforeKill = 0
        while Date() < deadline {
            indexedBeforeKill = (try? harness.client.status().counts.indexed) ?? 0
            if indexedBeforeKill >= 200 { break }
            usleep(20_000)
        }
        #expect(harness.stop(signal: SIGKILL) != nil)
        #expect(indexedBeforeKill >= 200 && indexedBeforeKill < 3000, "killed mid-way: \(indexedBeforeKill) of 3000 indexed")

        // After the crash: the database is intact and no document is half-indexed.
        do {
            let store = try Store(path: harness.databasePath)
            #expect(try await store.integrityCheck() == ["ok"])
            let chunks = try await store.allChunks()
            var perPath: [String: Int] = [:]
            for row in chunks { perPath[row.path, default: 0] += 1 }
            let page = try await store.listDocuments(status: .indexed, pathPrefix: nil, limit: 1000, offset: 0)
            for document in page.documents {
                #expect(perPath[document.path, default: 0] == document.chunkCount, "\(document.path) is half-indexed")
            }
            try store.close()
        }

        // Restart: the daemon reconciles, and the result equals a clean index of the same files.
        try harness.start()
        try harness.waitUntilIdle(timeout: 300)
        #expect(harness.stop() == 0)
        let recovered = try await Self.snapshot(of: harness.databasePath)

        let cleanDatabase = harness.directory.appendingPathComponent("clean/index.sqlite").path
        try harness.start(database: cleanDatabase)
        _ = try harness.client.addSource(SourceRequest(path: folder.path))
        try harness.waitUntilIdle(passes: 2, timeout: 300)
        #expect(harness.stop() == 0)
        let clean = try await Self.snapshot(of: cleanDatabase)
        #expect(clean.count > 3000)
        #expect(recovered == clean, "the recovered index differs from a clean one")
    }

    @Test func sigtermDuringIndexingExitsCleanlyAndNotifiesSystemd() throws {
        let harness = try DaemonHarness()
        let folder = try Self.makeManyFiles(in: harness, count: 1500)
        let notify = try NotifySocket(path: harness.directory.appendingPathComponent("notify.sock").path)
        try harness.start(extraEnvironment: ["NOTIFY_SOCKET": notify.path])
        _ = try harness.client.addSource(SourceRequest(path: folder.path))
        usleep(1_500_000)
        let started = Date()
        #expect(harness.stop(signal: SIGTERM, timeout: 15) == 0, "exit status 0 after SIGTERM")
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 10, "stopped in \(elapsed) s")
        let messages = notify.drain()
        #expect(messages.contains { $0.contains("READY=1") }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("STATUS=") }, "\(messages)")
        #expect(messages.last?.contains("STOPPING=1") == true, "\(messages)")
        // What was committed is consistent.
        let check = try DaemonHarness.run("/usr/bin/sqlite3", [harness.databasePath, "PRAGMA integrity_check;"])
        if check.status == 0 { #expect(check.out.trimmingCharacters(in: .whitespacesAndNewlines) == "ok") }
    }

    @Test func badFilesAreRecordedAndIndexingGoesOn() throws {
        let harness = try DaemonHarness()
        let folder = try harness.makeFolder("bad", files: ["good.md": "# Good\n\nThe quartz clock chimes.\n"])
        let dir = folder.path
        // Invalid UTF-8: decoded as Latin-1, indexed.
        try Data([0x63, 0x61, 0x66, 0xE9, 0x20, 0x6E, 0x6F, 0x69, 0x72, 0x0A]).write(to: URL(fileURLWithPath: dir + "/latin1.txt"))
        // A 0-byte file.
        _ = FileManager.default.createFile(atPath: dir + "/empty.txt", contents: Data())
        // A symlink loop, and a broken link.
        try FileManager.default.createDirectory(atPath: dir + "/loop", withIntermediateDirectories: true)
        symlink(dir + "/loop", dir + "/loop/again")
        symlink(dir + "/missing-target", dir + "/broken.md")
        // A name with a newline, and a name with bytes that are not UTF-8.
        try "newline name zephyr\n".write(toFile: dir + "/two\nlines.md", atomically: true, encoding: .utf8)
        let rawName = Array((dir + "/bad-").utf8) + [0xFF, 0xFE] + Array(".txt".utf8) + [0]
        let fd = rawName.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { open($0, O_CREAT | O_WRONLY, 0o644) }
        }
        #expect(fd >= 0)
        _ = "raw bytes name\n".withCString { write(fd, $0, strlen($0)) }
        close(fd)
        // Binary content with a text extension.
        try Data([0x00, 0x01, 0x02, 0x00, 0xFF]).write(to: URL(fileURLWithPath: dir + "/binary.txt"))

        try harness.start()
        _ = try harness.client.addSource(SourceRequest(path: dir))
        try harness.waitUntilIdle(passes: 2)
        let documents = try harness.client.documents(limit: 100).documents
        func document(_ suffix: String) -> DocumentInfo? { documents.first { $0.path.hasSuffix(suffix) } }
        #expect(document("/good.md")?.status == .indexed)
        #expect(document("/latin1.txt")?.status == .indexed)
        #expect(document("/latin1.txt")?.encoding == "latin-1")
        #expect(document("/empty.txt")?.status == .indexed)
        #expect(document("/two\nlines.md")?.status == .indexed)
        #expect(document("/binary.txt")?.status == .skipped)
        #expect(document("/binary.txt")?.reason?.isEmpty == false)
        let loop = documents.first { $0.path.contains("/loop") }
        #expect(loop?.status == .failed && loop?.reason?.contains("loop") == true, "\(documents.map { ($0.path, $0.reason ?? "") })")
        #expect(document("/broken.md")?.status == .failed)
        let rawDocument = documents.first { $0.path.contains("/bad-") }
        #expect(rawDocument?.status == .failed && rawDocument?.reason?.contains("UTF-8") == true)

        let café = try harness.client.search(SearchRequest(query: "café"))
        #expect(café.hits.first?.path.hasSuffix("/latin1.txt") == true)
        let zephyr = try harness.client.search(SearchRequest(query: "zephyr"))
        #expect(zephyr.hits.first?.path == dir + "/two\nlines.md")
        #expect(harness.stop() == 0)
    }

    @Test func badRequestsGetJSONErrorsAndTheServerKeepsServing() throws {
        let harness = try DaemonHarness(config: "[server]\nmax_request_bytes = 4096\n")
        try harness.start()
        let client = harness.client
        func error(_ answer: (status: Int, head: HTTPResponseHead, body: Data)) throws -> ErrorBody {
            try WireJSON.makeDecoder().decode(ErrorBody.self, from: answer.body)
        }
        let malformed = try client.raw("POST", "/search", body: Data("{not json".utf8))
        #expect(malformed.status == 400)
        #expect(try error(malformed).error.code == "invalid_json")
        let wrongShape = try client.raw("POST", "/search", body: Data(#"{"limit": 3}"#.utf8))
        #expect(wrongShape.status == 400)
        #expect(try error(wrongShape).error.message.contains("query"))
        let unknown = try client.raw("GET", "/nothing-here", body: nil)
        #expect(unknown.status == 404)
        #expect(try error(unknown).error.code == "not_found")
        let wrongMethod = try client.raw("DELETE", "/status", body: nil)
        #expect(wrongMethod.status == 405)
        #expect(try error(wrongMethod).error.code == "method_not_allowed")
        let huge = try client.raw("POST", "/search", body: Data(("{\"query\": \"" + String(repeating: "a", count: 10_000) + "\"}").utf8))
        #expect(huge.status == 413)
        #expect(try error(huge).error.code == "payload_too_large")
        let empty = try client.raw("POST", "/search", body: Data(#"{"query": "  "}"#.utf8))
        #expect(empty.status == 400)
        #expect(try error(empty).error.code == "empty_query")
        let badLimit = try client.raw("POST", "/search", body: Data(#"{"query": "x", "limit": 0}"#.utf8))
        #expect(badLimit.status == 400)
        let badMode = try client.raw("POST", "/search", body: Data(#"{"query": "x", "mode": "psychic"}"#.utf8))
        #expect(try error(badMode).error.code == "invalid_mode")
        let relative = try client.raw("POST", "/sources", body: Data(#"{"path": "docs"}"#.utf8))
        #expect(try error(relative).error.code == "root_not_absolute")
        // Still serving.
        #expect(try client.status().version.isEmpty == false)
        #expect(harness.stop() == 0)
    }

    @Test func fiftyConcurrentClientsWhileIndexing() throws {
        let harness = try DaemonHarness()
        let folder = try Self.makeManyFiles(in: harness, count: 1500)
        try harness.start()
        _ = try harness.client.addSource(SourceRequest(path: folder.path))
        let socket = harness.socketPath
        let results = ConcurrentResults()
        let deadline = Date().addingTimeInterval(4)
        DispatchQueue.concurrentPerform(iterations: 50) { worker in
            let client = SottoClient(socketPath: socket, timeout: 30)
            while Date() < deadline {
                do {
                    if worker % 10 == 0 {
                        _ = try client.status()
                    } else {
                        _ = try client.search(SearchRequest(query: "harbour topic\(worker % 37)", limit: 5))
                    }
                    results.record(nil)
                } catch {
                    results.record("\(error)")
                }
            }
        }
        let (answered, errors) = results.summary
        print("50 clients: \(answered) requests answered, \(errors.count) errors in 4 s while indexing")
        #expect(errors.isEmpty, "\(errors.prefix(5))")
        #expect(answered >= 50)
        #expect(harness.stop() == 0)
    }

    @Test func changesOnDiskFollowWhileRunningAndAcrossRestarts() async throws {
        let harness = try DaemonHarness()
        let folder = try harness.makeFolder("live", files: [
            "a.md": "# A\n\nThe amber lantern glows.\n",
            "b.md": "# B\n\nThe basalt bridge stands.\n",
            "keep.md": "# Keep\n\nUntouched cobalt words.\n",
        ])
        try harness.start()
        _ = try harness.client.addSource(SourceRequest(path: folder.path))
        try harness.waitUntilIdle()
        let client = harness.client
        func paths(_ query: String) throws -> [String] { try client.search(SearchRequest(query: query)).hits.map(\.path) }
        func eventually(_ what: String, _ condition: () throws -> Bool) throws {
            let deadline = Date().addingTimeInterval(15)
            while Date() < deadline {
                if (try? condition()) == true { return }
                usleep(50_000)
            }
            Issue.record("timed out waiting until \(what)")
        }

        // Edit: new words found, old words gone.
        try "# A\n\nThe azure kettle whistles.\n".write(toFile: folder.path + "/a.md", atomically: false, encoding: .utf8)
        try eventually("the edit is indexed") { try paths("azure") == [folder.path + "/a.md"] && paths("amber").isEmpty }

        // New file in a new directory.
        try FileManager.default.createDirectory(atPath: folder.path + "/new/deeper", withIntermediateDirectories: true)
        try "fresh saffron text\n".write(toFile: folder.path + "/new/deeper/c.txt", atomically: false, encoding: .utf8)
        try eventually("the new file is indexed") { try paths("saffron") == [folder.path + "/new/deeper/c.txt"] }

        // Rename: same chunks, new path.
        let before = try client.search(SearchRequest(query: "basalt")).hits.first
        try FileManager.default.moveItem(atPath: folder.path + "/b.md", toPath: folder.path + "/renamed.md")
        try eventually("the rename is seen") { try paths("basalt") == [folder.path + "/renamed.md"] }
        let after = try client.search(SearchRequest(query: "basalt")).hits.first
        #expect(before?.chunkId != nil && before?.chunkId == after?.chunkId, "a rename keeps the chunks")

        // Delete.
        try FileManager.default.removeItem(atPath: folder.path + "/renamed.md")
        try eventually("the deletion is seen") { try paths("basalt").isEmpty }

        // While the daemon is down: an edit, a deletion and a new file; restart reconciles only those.
        let keepBefore = try client.documents(pathPrefix: folder.path + "/keep.md").documents.first
        #expect(harness.stop() == 0)
        try "# A\n\nThe ochre sail.\n".write(toFile: folder.path + "/a.md", atomically: false, encoding: .utf8)
        try FileManager.default.removeItem(atPath: folder.path + "/new/deeper/c.txt")
        try "offline indigo note\n".write(toFile: folder.path + "/offline.md", atomically: false, encoding: .utf8)
        try harness.start()
        try harness.waitUntilIdle()
        #expect(try paths("ochre") == [folder.path + "/a.md"])
        #expect(try paths("saffron").isEmpty)
        #expect(try paths("indigo") == [folder.path + "/offline.md"])
        let keepAfter = try client.documents(pathPrefix: folder.path + "/keep.md").documents.first
        #expect(keepBefore != nil && keepBefore?.indexedAt == keepAfter?.indexedAt, "an unchanged file is not re-indexed")
        #expect(harness.stop() == 0)
    }

    @Test(.enabled(if: EndToEndTests.canUnshareNetwork, "unshare -n is not permitted here"))
    func runsWithoutAnyNetworkAndOpensNoIPSocket() throws {
        let harness = try DaemonHarness()
        let folder = try harness.makeFolder("docs", files: Self.documents)
        let process = try harness.start(prefix: ["/usr/bin/unshare", "-n"])
        // unshare execs sottod in place, so the pid is sottod's.
        #expect(try harness.client.status().pid == process.processIdentifier)
        _ = try harness.client.addSource(SourceRequest(path: folder.path))
        try harness.waitUntilIdle(passes: 2)
        #expect(try harness.client.search(SearchRequest(query: "rent")).hits.isEmpty == false)
        let pid = process.processIdentifier
        // Connections the server is closing come and go; look at the sockets held before and after
        // reading the tables, in both namespaces (the daemon's own, empty of interfaces, and the one
        // it was started from, where anything it inherited would live), until a reading is stable.
        var unexplained: Set<String> = []
        var sockets: Set<String> = []
        for _ in 0..<5 {
            let before = Self.socketInodes(pid: pid)
            let ipInodes = Self.ipSocketInodes(pid: pid).union(Self.ipSocketInodes(pid: getpid()))
            let unixInodes = Self.unixSocketInodes(pid: pid).union(Self.unixSocketInodes(pid: getpid()))
            sockets = before.intersection(Self.socketInodes(pid: pid))
            #expect(sockets.isDisjoint(with: ipInodes), "sottod holds IP sockets: \(sockets.intersection(ipInodes))")
            unexplained = sockets.subtracting(unixInodes)
            if unexplained.isEmpty { break }
            usleep(200_000)
        }
        #expect(!sockets.isEmpty)
        #expect(unexplained.isEmpty, "sockets that are neither Unix nor IP sockets of either namespace: \(unexplained)")
        #expect(harness.stop() == 0)
    }

    static let canUnshareNetwork: Bool = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else { return false }
        return (try? DaemonHarness.run("/usr/bin/unshare", ["-n", "/bin/true"]).status) == 0
    }()

    static func socketInodes(pid: Int32) -> Set<String> {
        let fdDir = "/proc/\(pid)/fd"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: fdDir)) ?? []
        var out = Set<String>()
        for entry in entries {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: fdDir + "/" + entry), target.hasPrefix("socket:[") {
                out.insert(String(target.dropFirst(8).dropLast()))
            }
        }
        return out
    }

    /// Inodes in the process's network namespace tables; column 10 (tcp/udp/raw) is the inode.
    static func ipSocketInodes(pid: Int32) -> Set<String> {
        var out = Set<String>()
        for table in ["tcp", "tcp6", "udp", "udp6", "raw", "raw6", "udplite", "udplite6"] {
            guard let text = Self.readProcFile("/proc/\(pid)/net/\(table)") else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                if fields.count > 9 { out.insert(String(fields[9])) }
            }
        }
        return out
    }

    /// The whole of a /proc table. `String(contentsOfFile:)` stops after one read, which a seq_file
    /// ends at a page: with many sockets open on the machine (a parallel test run) the table was cut
    /// at 4,096 bytes and a socket listed further down looked unexplained.
    static func readProcFile(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.readToEnd() else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    static func unixSocketInodes(pid: Int32) -> Set<String> {
        guard let text = Self.readProcFile("/proc/\(pid)/net/unix") else { return [] }
        var out = Set<String>()
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            if fields.count > 6 { out.insert(String(fields[6])) }
        }
        return out
    }
}

final class ConcurrentResults: @unchecked Sendable {
    private let lock = NSLock()
    private var answered = 0
    private var errors: [String] = []
    func record(_ error: String?) {
        lock.lock()
        defer { lock.unlock() }
        if let error { errors.append(error) } else { answered += 1 }
    }
    var summary: (Int, [String]) {
        lock.lock()
        defer { lock.unlock() }
        return (answered, errors)
    }
}

/// A datagram socket standing in for systemd's notification socket.
final class NotifySocket {
    let path: String
    private let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw HarnessError("cannot bind \(path)") }
    }

    deinit {
        close(fd)
        unlink(path)
    }

    func drain() -> [String] {
        var messages: [String] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if n <= 0 { break }
            messages.append(String(decoding: buffer[0..<n], as: UTF8.self))
        }
        return messages
    }
}
