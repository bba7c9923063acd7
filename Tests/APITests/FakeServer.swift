import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An HTTP server on a Unix socket that answers each connection, in turn, with canned bytes and keeps
/// what it was sent (the last request) and how many connections it answered.
final class FakeServer: @unchecked Sendable {
    let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var _received = Data()
    private var thread: Thread?

    private var _connections = 0

    var received: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: _received, as: UTF8.self)
    }

    var connections: Int {
        lock.lock()
        defer { lock.unlock() }
        return _connections
    }

    /// `response` is written in `pieces` separate writes, to exercise reassembly.
    convenience init(response: [String]) throws {
        try self.init(responses: [response])
    }

    /// One connection per element of `responses`, answered in order.
    init(responses: [[String]]) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("fake-\(UUID().uuidString.prefix(8)).sock").path
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, 4) == 0 else { throw POSIXError(.EADDRINUSE) }
        let listener = fd
        let box = self
        let thread = Thread {
            for response in responses {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }
                var buffer = [UInt8](repeating: 0, count: 65536)
                // Read until the end of the head plus any Content-Length body.
                var data = Data()
                while true {
                    let n = recv(client, &buffer, buffer.count, 0)
                    if n <= 0 { break }
                    data.append(contentsOf: buffer[0..<n])
                    if let text = String(data: data, encoding: .utf8), let headEnd = text.range(of: "\r\n\r\n") {
                        let head = text[..<headEnd.lowerBound]
                        let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                        if text.utf8.count - text.utf8.distance(from: text.startIndex, to: headEnd.upperBound) >= length { break }
                    }
                }
                box.lock.lock()
                box._received = data
                box._connections += 1
                box.lock.unlock()
                for piece in response {
                    _ = piece.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                    usleep(2000)
                }
                close(client)
            }
        }
        self.thread = thread
        thread.start()
    }

    deinit {
        close(fd)
        unlink(path)
    }
}
