import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 exchange over a Unix stream socket: connect, send one request, read one response.
/// Blocking by design: the CLI does one thing at a time, and a plain socket keeps it free of NIO.
public struct HTTPResponseHead: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

final class UnixHTTPConnection {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var position = 0
    private var isEOF = false

    /// `timeout`: how long a single read or write may block.
    init(socketPath: String, timeout: TimeInterval) throws(ClientError) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else { throw .socketPathTooLong(socket: socketPath) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .connection("socket(): \(String(cString: strerror(errno)))") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if result != 0 {
            let code = errno
            close(fd)
            switch code {
            case ENOENT, ECONNREFUSED, ENOTDIR: throw .daemonNotRunning(socket: socketPath)
            case EACCES, EPERM: throw .permissionDenied(socket: socketPath)
            default: throw .connection("connect(\(socketPath)): \(String(cString: strerror(code)))")
            }
        }
        self.fd = fd
    }

    deinit { close(fd) }

    func send(method: String, path: String, body: Data?, accept: String = "application/json") throws(ClientError) {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nUser-Agent: sotto\r\nAccept: \(accept)\r\nConnection: close\r\n"
        if let body {
            head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n"
        } else if method == "POST" || method == "PUT" {
            head += "Content-Length: 0\r\n"
        }
        head += "\r\n"
        var bytes = Array(head.utf8)
        if let body { bytes.append(contentsOf: body) }
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .connection("send: \(String(cString: strerror(errno)))")
            }
            sent += n
        }
    }

    func readHead() throws(ClientError) -> HTTPResponseHead {
        guard let statusLine = try readLine(), !statusLine.isEmpty else {
            throw .protocolError("the connection closed before a response")
        }
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw .protocolError("bad status line \(statusLine.debugDescription)")
        }
        var headers: [(String, String)] = []
        while let line = try readLine(), !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw .protocolError("bad header line") }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            if headers.count > 100 { throw .protocolError("too many headers") }
        }
        return HTTPResponseHead(status: status, headers: headers)
    }

    /// Reads the body, calling `consume` with each piece as it arrives (chunked or not).
    func readBody(head: HTTPResponseHead, consume: ([UInt8]) throws -> Void) throws {
        if head.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
            while true {
                guard let sizeLine = try readLine() else { throw ClientError.protocolError("truncated chunked body") }
                let hex = sizeLine.split(separator: ";").first.map(String.init) ?? ""
                guard let size = Int(hex.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0 else {
                    throw ClientError.protocolError("bad chunk size \(sizeLine.debugDescription)")
                }
                if size == 0 {
                    while let trailer = try readLine(), !trailer.isEmpty {}
                    return
                }
                try consume(try readExactly(size))
                _ = try readLine()
            }
        } else if let lengthText = head.header("Content-Length") {
            guard let length = Int(lengthText), length >= 0 else { throw ClientError.protocolError("bad Content-Length") }
            try consume(try readExactly(length))
        } else {
            while try fill() {
                try consume(Array(buffer[position...]))
                position = buffer.count
            }
        }
    }

    // MARK: - Buffered reading

    private func fill() throws(ClientError) -> Bool {
        if isEOF { return false }
        if position > 0 && position == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            position = 0
        }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                buffer.append(contentsOf: chunk[0..<n])
                return true
            }
            if n == 0 {
                isEOF = true
                return false
            }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { throw .connection("timed out waiting for sottod") }
            throw .connection("recv: \(String(cString: strerror(errno)))")
        }
    }

    private func readLine() throws(ClientError) -> String? {
        while true {
            if let newline = buffer[position...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > position && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = String(decoding: buffer[position..<end], as: UTF8.self)
                position = newline + 1
                return line
            }
            if buffer.count - position > 64 * 1024 { throw .protocolError("line too long") }
            if !(try fill()) {
                if position == buffer.count { return nil }
                let line = String(decoding: buffer[position...], as: UTF8.self)
                position = buffer.count
                return line
            }
        }
    }

    private func readExactly(_ count: Int) throws(ClientError) -> [UInt8] {
        while buffer.count - position < count {
            if !(try fill()) { throw .protocolError("the connection closed in the middle of a response") }
        }
        let bytes = Array(buffer[position..<(position + count)])
        position += count
        return bytes
    }
}
