import Foundation
import Glibc
import Testing
@testable import Daemon

/// A datagram socket standing in for systemd's notification socket.
private final class FakeNotifySocket {
    let fd: Int32
    let directory: URL?
    /// What `NOTIFY_SOCKET` should hold to reach this socket.
    let path: String

    /// Binds `name`: a file in a fresh temp directory, or an abstract name when it starts with "@".
    init(name: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(name.utf8)
        let length: Int
        if name.hasPrefix("@") {
            bytes[0] = 0
            directory = nil
            path = name
            length = 2 + bytes.count
        } else {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            directory = dir
            path = dir.appendingPathComponent(name).path
            bytes = Array(path.utf8)
            length = 2 + bytes.count + 1
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let result = withUnsafePointer(to: address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(length)) }
        }
        try #require(result == 0, "bind: \(String(cString: strerror(errno)))")
    }

    /// The next datagram, or nil if none is queued (the sender has returned, so it is already here).
    func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        guard count >= 0 else { return nil }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }

    deinit {
        close(fd)
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }
}

@Suite struct SystemdNotifierTests {
    @Test func sendsExactDatagramsToAPathSocket() throws {
        let socket = try FakeNotifySocket(name: "notify.sock")
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.path])
        #expect(notifier.isEnabled)

        notifier.ready()
        #expect(socket.receive() == "READY=1")
        notifier.ready(status: "Indexing 10/100")
        #expect(socket.receive() == "READY=1\nSTATUS=Indexing 10/100")
        notifier.status("Watching 3 folders")
        #expect(socket.receive() == "STATUS=Watching 3 folders")
        notifier.stopping()
        #expect(socket.receive() == "STOPPING=1")
        notifier.notify("WATCHDOG=1")
        #expect(socket.receive() == "WATCHDOG=1")
        #expect(socket.receive() == nil)
    }

    @Test func sendsToAnAbstractSocket() throws {
        let name = "@sotto-notify-test-\(UUID().uuidString)"
        let socket = try FakeNotifySocket(name: name)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": name])
        #expect(notifier.isEnabled)
        notifier.ready(status: "ok")
        #expect(socket.receive() == "READY=1\nSTATUS=ok")
    }

    @Test func statusCannotSmuggleExtraAssignments() throws {
        let socket = try FakeNotifySocket(name: "notify.sock")
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.path])
        notifier.status("line one\nREADY=1")
        #expect(socket.receive() == "STATUS=line one READY=1")
    }

    @Test(arguments: [[:], ["NOTIFY_SOCKET": ""], ["NOTIFY_SOCKET": "relative.sock"], ["NOTIFY_SOCKET": "@"],
                      ["NOTIFY_SOCKET": "/" + String(repeating: "x", count: 200)]])
    func isDisabledWithoutAUsableSocket(environment: [String: String]) {
        let notifier = SystemdNotifier(environment: environment)
        #expect(!notifier.isEnabled)
        notifier.ready(status: "nobody listens")  // must simply do nothing
    }

    @Test func missingSocketIsIgnored() {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("absent-\(UUID().uuidString).sock").path
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": path])
        #expect(notifier.isEnabled)
        notifier.ready()
        notifier.stopping()
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
