import API
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The findings of a probe of the daemon as a hostile local client (issue 21), each as the request
/// that showed it, against the real binaries.
extension EndToEndTests {
    static func errorCode(_ body: String) -> String? {
        guard let data = body.data(using: .utf8), let error = try? WireJSON.makeDecoder().decode(ErrorBody.self, from: data) else {
            return nil
        }
        return error.error.code
    }

    /// Finding 1: a chunked body (no declared length) over the limit is 413, not 500.
    @Test func aChunkedBodyOverTheLimitIsRefusedWith413() throws {
        let harness = try DaemonHarness(config: "[server]\nmax_request_bytes = 4096\n")
        try harness.start()
        let connection = try RawConnection(socketPath: harness.socketPath)
        connection.send("POST /v1/search HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n")
        let piece = String(repeating: "a", count: 1000)
        for _ in 0..<20 {
            guard connection.send(String(piece.utf8.count, radix: 16) + "\r\n" + piece + "\r\n") else { break }
        }
        connection.send("0\r\n\r\n")
        let response = try #require(connection.readResponse())
        #expect(response.status == 413, "\(response)")
        #expect(Self.errorCode(response.body) == "payload_too_large")
        #expect(try harness.client.status().version.isEmpty == false)
        #expect(harness.stop() == 0)
    }

    /// Finding 3: after refusing a declared body with 413 the server closes the connection instead of
    /// reading the 600 MB it declared.
    @Test func after413TheConnectionIsClosedNotDrained() throws {
        let harness = try DaemonHarness(config: "[server]\nmax_request_bytes = 4096\n")
        try harness.start()
        let connection = try RawConnection(socketPath: harness.socketPath, timeout: 5)
        connection.send("POST /v1/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 600000000\r\n\r\n")
        let block = [UInt8](repeating: UInt8(ascii: "a"), count: 65536)
        var sent = 0
        while sent < 64 << 20, connection.send(block) { sent += block.count }
        #expect(sent < 64 << 20, "the server read \(sent) bytes of a body it refused")
        let response = connection.readResponse()
        #expect(response?.status == 413, "\(String(describing: response))")
        #expect(response?.headers["connection"] == "close")
        #expect(try harness.client.status().version.isEmpty == false)
        #expect(harness.stop() == 0)
    }

    /// Finding 2: connections that send a partial head (or a body that never ends) are closed after
    /// the timeouts, and beyond the connection cap a new client is refused clearly, not left hanging.
    @Test func stalledConnectionsTimeOutAndExtraOnesAreRefused() throws {
        let harness = try DaemonHarness(
            config: "[server]\nmax_connections = 8\nidle_timeout_seconds = 2\nrequest_timeout_seconds = 3\n")
        try harness.start()
        var stalled: [RawConnection] = []
        for _ in 0..<8 {
            let connection = try RawConnection(socketPath: harness.socketPath, timeout: 15)
            connection.send("GET /v1/status HTTP/1.1\r\nHost: x\r\n")
            stalled.append(connection)
        }
        usleep(200_000)
        let refused = try harness.client.raw("GET", "/status", body: nil)
        #expect(refused.status == 503)
        #expect(refused.head.header("Retry-After") == "1")
        #expect(Self.errorCode(String(decoding: refused.body, as: UTF8.self)) == "too_many_connections")

        // The stalled heads are closed by the idle timeout (2 s), and then the server serves again.
        let started = Date()
        for connection in stalled {
            #expect(connection.readUntilClosed().closed, "a stalled connection was left open")
        }
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(try harness.client.status().version.isEmpty == false)

        // A body that trickles in (a byte a second keeps the idle timer happy) ends at the request timeout.
        let slow = try RawConnection(socketPath: harness.socketPath, timeout: 15)
        slow.send("POST /v1/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
        let trickleStarted = Date()
        var open = true
        while open, Date().timeIntervalSince(trickleStarted) < 12 {
            usleep(500_000)
            open = slow.send(" ")
        }
        #expect(!open, "a body trickling in for 12 s was still being read")
        #expect(Date().timeIntervalSince(trickleStarted) < 8)
        #expect(harness.stop() == 0)
    }

    /// Finding 2 as the probe ran it: with 256 descriptors, 300 idle connections do not starve the
    /// daemon: new clients get a clear 503 while the cap is reached, and a file created meanwhile is
    /// indexed, not recorded as failed with "Too many open files".
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit"), "needs prlimit (util-linux)"))
    func threeHundredIdleConnectionsWithFewDescriptorsStarveNothing() throws {
        let harness = try DaemonHarness()
        let folder = try harness.makeFolder("docs", files: ["a.md": "# A\n\nThe amber lantern.\n"])
        try harness.start(prefix: ["/usr/bin/prlimit", "--nofile=256:256"])
        _ = try harness.client.addSource(SourceRequest(path: folder.path))
        try harness.waitUntilIdle()
        var idle: [RawConnection] = []
        for _ in 0..<300 {
            guard let connection = try? RawConnection(socketPath: harness.socketPath, timeout: 5) else { break }
            connection.send("GET /v1/status HTTP/1.1\r\nHost: x\r\n")
            idle.append(connection)
        }
        #expect(idle.count == 300)
        try "fresh vermilion text\n".write(toFile: folder.path + "/new.txt", atomically: false, encoding: .utf8)
        let refused = try harness.client.raw("GET", "/status", body: nil)
        #expect(refused.status == 503, "a new client is refused clearly while the cap is reached")
        #expect(Self.errorCode(String(decoding: refused.body, as: UTF8.self)) == "too_many_connections")
        usleep(3_000_000)
        idle.removeAll()  // closed by the client
        var indexed = false
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !indexed {
            indexed = (try? harness.client.search(SearchRequest(query: "vermilion")).hits.isEmpty == false) ?? false
            if !indexed { usleep(100_000) }
        }
        #expect(indexed, "the file created while the connections were held was not indexed")
        let documents = try harness.client.documents(limit: 10).documents
        #expect(documents.allSatisfy { $0.status == .indexed }, "\(documents.map { ($0.path, $0.reason ?? "") })")
        #expect(harness.stop() == 0)
    }

    /// Finding 11: a path with a NUL (or another control character) is refused, not cut short at the NUL.
    @Test func pathsWithControlCharactersAreRefused() throws {
        let harness = try DaemonHarness()
        let folder = try harness.makeFolder("docs", files: ["a.md": "amber\n"])
        try harness.start()
        let client = harness.client
        for body in [
            #"{"path": "\#(folder.path)\u0000/etc"}"#, #"{"path": "\#(folder.path)\u0001"}"#, #"{"path": "\#(folder.path)\n"}"#,
        ] {
            let added = try client.raw("POST", "/sources", body: Data(body.utf8))
            #expect(added.status == 400, "\(body)")
            #expect(Self.errorCode(String(decoding: added.body, as: UTF8.self)) == "invalid_path")
        }
        #expect(try client.sources().sources.isEmpty, "nothing was registered")
        let removed = try client.raw("POST", "/sources/remove", body: Data(#"{"path": "/tmp\u0000/x"}"#.utf8))
        #expect(removed.status == 400)
        let index = try client.raw("POST", "/index", body: Data(#"{"path": "/tmp\u0000/x"}"#.utf8))
        #expect(index.status == 400)
        let search = try client.raw("POST", "/search", body: Data(#"{"query": "amber", "pathPrefix": "/tmp\u0000"}"#.utf8))
        #expect(search.status == 400)
        #expect(harness.stop() == 0)
    }

    /// Finding 13 (in part): a wrong method is 405 with the methods the path takes in `Allow`.
    @Test func wrongMethodsAnswer405WithAllow() throws {
        let harness = try DaemonHarness()
        try harness.start()
        let status = try harness.client.raw("DELETE", "/status", body: nil)
        #expect(status.status == 405)
        #expect(status.head.header("Allow") == "GET")
        let sources = try harness.client.raw("PUT", "/sources", body: nil)
        #expect(sources.status == 405)
        #expect(sources.head.header("Allow") == "GET, POST")
        #expect(harness.stop() == 0)
    }

    /// Finding 8: supplied passages larger than the decoder's window are the client's error (400
    /// context_too_large), found before the request waits for the decoder.
    @Test func anOversizedSuppliedContextIsAClientError() throws {
        let harness = try DaemonHarness(config: Self.echoConfig)
        try harness.start()
        let words = Array(repeating: "word", count: 10_000).joined(separator: " ")
        let body = #"{"question": "q", "context": [{"title": "t", "text": "\#(words)"}], "abstain": false, "stream": false}"#
        let answer = try harness.client.raw("POST", "/ask", body: Data(body.utf8))
        #expect(answer.status == 400, "\(String(decoding: answer.body, as: UTF8.self))")
        #expect(Self.errorCode(String(decoding: answer.body, as: UTF8.self)) == "context_too_large")
        // A passage that fits is answered.
        let small = #"{"question": "Who won?", "context": [{"title": "t", "text": "The Broncos won."}], "stream": false}"#
        #expect(try harness.client.raw("POST", "/ask", body: Data(small.utf8)).status == 200)
        #expect(harness.stop() == 0)
    }

    /// The probe's concurrency result, kept: 60 asks at once are each answered (ending with `done`) or
    /// refused cleanly (503 with `Retry-After`), none fails or hangs, and the daemon serves on.
    @Test func sixtyConcurrentAsksAreAnsweredOrRefusedCleanly() throws {
        let harness = try DaemonHarness(config: Self.echoConfig + "[decoder]\nqueue_size = 4\n")
        let folder = try harness.makeFolder("docs", files: Self.documents)
        try harness.start()
        _ = try harness.client.addSource(SourceRequest(path: folder.path))
        try harness.waitUntilIdle()
        let socket = harness.socketPath
        let results = ConcurrentResults()
        DispatchQueue.concurrentPerform(iterations: 60) { _ in
            let client = SottoClient(socketPath: socket, timeout: 60)
            do {
                let answer = try client.raw("POST", "/ask", body: Data(#"{"question": "When does the lease end?"}"#.utf8))
                let text = String(decoding: answer.body, as: UTF8.self)
                switch answer.status {
                case 200 where text.split(separator: "\n").last?.contains(#""event":"done""#) == true: results.record(nil)
                case 503 where answer.head.header("Retry-After") != nil && Self.errorCode(text) == "queue_full": results.record(nil)
                default: results.record("\(answer.status): \(text.suffix(300))")
                }
            } catch {
                results.record("\(error)")
            }
        }
        let (clean, problems) = results.summary
        #expect(problems.isEmpty, "\(problems.prefix(3))")
        #expect(clean == 60)
        #expect(try harness.client.status().version.isEmpty == false)
        #expect(harness.stop() == 0)
    }
}
