import Foundation
import Testing
@testable import API
#if canImport(Glibc)
import Glibc
#endif

@Suite struct SottoClientTests {
    @Test func decodesAContentLengthResponseAndSendsJSON() throws {
        let body = #"{"query":"lease","mode":"bm25","hits":[],"tookMilliseconds":1.5}"#
        let server = try FakeServer(response: [
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n", "Content-Length: \(body.utf8.count)\r\n\r\n", body,
        ])
        let response = try SottoClient(socketPath: server.path, timeout: 5).search(SearchRequest(query: "lease", limit: 3))
        #expect(response.query == "lease")
        #expect(response.mode == .bm25)
        #expect(response.hits.isEmpty)
        #expect(server.received.hasPrefix("POST /v1/search HTTP/1.1\r\n"))
        #expect(server.received.contains(#""query":"lease""#))
        #expect(server.received.contains(#""limit":3"#))
    }

    @Test func streamsChunkedNDJSONLineByLine() throws {
        let line1 = #"{"state":"indexing","queued":0,"done":1,"total":2,"failed":0,"filesPerSecond":1,"completedPasses":0}"# + "\n"
        let line2 = #"{"state":"idle","queued":0,"done":2,"total":2,"failed":0,"filesPerSecond":2,"completedPasses":1}"# + "\n"
        let half = line2.utf8.count / 2
        let first = String(line2.prefix(half)), second = String(line2.dropFirst(half))
        let server = try FakeServer(response: [
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            String(line1.utf8.count, radix: 16) + "\r\n" + line1 + "\r\n",
            String(first.utf8.count, radix: 16) + "\r\n" + first + "\r\n",
            String(second.utf8.count, radix: 16) + "\r\n" + second + "\r\n",
            "0\r\n\r\n",
        ])
        var events: [IndexProgress] = []
        try SottoClient(socketPath: server.path, timeout: 5).index { events.append($0) }
        #expect(events.map(\.done) == [1, 2])
        #expect(events.last?.state == .idle)
        #expect(events.last?.completedPasses == 1)
    }

    @Test func errorDocumentsBecomeServerErrors() throws {
        let body = #"{"error":{"code":"empty_query","message":"the query is empty"}}"#
        let server = try FakeServer(response: ["HTTP/1.1 400 Bad Request\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"])
        #expect(throws: ClientError.server(status: 400, code: "empty_query", message: "the query is empty")) {
            _ = try SottoClient(socketPath: server.path, timeout: 5).search(SearchRequest(query: " "))
        }
    }

    @Test func garbageIsAProtocolError() throws {
        let server = try FakeServer(response: ["SSH-2.0-nope\r\n\r\n"])
        #expect {
            _ = try SottoClient(socketPath: server.path, timeout: 5).status()
        } throws: { error in
            guard case .protocolError = error as? ClientError else { return false }
            return true
        }
    }

    @Test func noSocketMeansNotRunning() {
        let path = "/tmp/sotto-test-\(UUID().uuidString.prefix(8)).sock"
        #expect(throws: ClientError.daemonNotRunning(socket: path)) {
            _ = try SottoClient(socketPath: path, timeout: 2).status()
        }
        #expect(ClientError.daemonNotRunning(socket: path).message.contains("sottod is not running on \(path)"))
    }

    @Test func staleSocketMeansNotRunning() throws {
        let path = "/tmp/sotto-stale-\(UUID().uuidString.prefix(8)).sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8))
        }
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        close(fd)  // bound, never listened, closed: a socket file with nobody behind it
        defer { unlink(path) }
        #expect(throws: ClientError.daemonNotRunning(socket: path)) {
            _ = try SottoClient(socketPath: path, timeout: 2).status()
        }
    }

    @Test func tooLongSocketPathIsRefused() {
        let path = "/tmp/" + String(repeating: "x", count: 200)
        #expect(throws: ClientError.socketPathTooLong(socket: path)) {
            _ = try SottoClient(socketPath: path).status()
        }
    }

    @Test func socketPathPrecedence() {
        let env = ["XDG_RUNTIME_DIR": "/run/user/7", "SOTTO_SOCKET": "/tmp/env.sock"]
        #expect(SocketPath.resolve(flag: "/tmp/flag.sock", configured: "/c", environment: env) == "/tmp/flag.sock")
        #expect(SocketPath.resolve(flag: nil, configured: "/c", environment: env) == "/tmp/env.sock")
        #expect(SocketPath.resolve(flag: nil, configured: "/c", environment: ["XDG_RUNTIME_DIR": "/run/user/7"]) == "/c")
        #expect(SocketPath.resolve(flag: nil, environment: ["XDG_RUNTIME_DIR": "/run/user/7"]) == "/run/user/7/sotto/sotto.sock")
    }

    @Test func queryStringsAreEncoded() {
        #expect(SottoClient.encodeQuery([("path", "/a b/ü&x=1")]) == "path=/a%20b/%C3%BC%26x%3D1")
    }
}
