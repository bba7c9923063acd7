import Foundation
import Glibc
import Testing
@testable import Daemon

@Suite struct SocketGuardTests {
    /// A fresh temp directory, short enough for sun_path.
    private static func makeTemporaryDirectory() throws -> URL {
        let url = URL(fileURLWithPath: "/tmp/sg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Binds a stream socket at `path`; listens if asked. Returns the fd (caller closes).
    private static func bindSocket(at path: String, listening: Bool) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0, "bind: \(String(cString: strerror(errno)))")
        if listening { try #require(listen(fd, 4) == 0) }
        return fd
    }

    private static func mode(of path: String) -> mode_t {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0 }
        return info.st_mode & 0o7777
    }

    private static func isSocket(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFSOCK
    }

    @Test func staleSocketIsRemoved() throws {
        let dir = try Self.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("sotto.sock").path
        close(try Self.bindSocket(at: path, listening: false))  // a crashed daemon leaves exactly this
        #expect(Self.isSocket(path))
        #expect(!SocketGuard.isLive(path: path))

        try SocketGuard.prepare(path: path)
        #expect(!FileManager.default.fileExists(atPath: path))
        // The path is now free for the server.
        let fd = try Self.bindSocket(at: path, listening: true)
        close(fd)
    }

    @Test func liveSocketIsAlreadyRunning() throws {
        let dir = try Self.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("sotto.sock").path
        let fd = try Self.bindSocket(at: path, listening: true)
        defer { close(fd) }

        #expect(SocketGuard.isLive(path: path))
        #expect(throws: SocketGuardError.alreadyRunning(path: path)) { try SocketGuard.prepare(path: path) }
        #expect(Self.isSocket(path), "a live socket must be left alone")
        #expect(SocketGuardError.alreadyRunning(path: path).message.contains("systemctl stop sottod"))
    }

    @Test func regularFileIsNotASocket() throws {
        let dir = try Self.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("sotto.sock").path
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: path))

        #expect(throws: SocketGuardError.notASocket(path: path)) { try SocketGuard.prepare(path: path) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
        #expect(!SocketGuard.isLive(path: path))
    }

    @Test func missingParentsAreCreatedWith0750() throws {
        let dir = try Self.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("run/sotto/sotto.sock").path
        // (Not testing another umask: it is process-wide and tests run in parallel.)

        try SocketGuard.prepare(path: path)
        #expect(Self.mode(of: dir.appendingPathComponent("run/sotto").path) == 0o750)
        #expect(Self.mode(of: dir.appendingPathComponent("run").path) == 0o750)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func ownDirectoryIsTightenedButSharedOneIsNot() throws {
        let dir = try Self.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let own = dir.appendingPathComponent("sotto")
        let shared = dir.appendingPathComponent("shared")
        for url in [own, shared] {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
            #expect(chmod(url.path, 0o777) == 0)
        }

        try SocketGuard.prepare(path: own.appendingPathComponent("sotto.sock").path)
        try SocketGuard.prepare(path: shared.appendingPathComponent("sotto.sock").path)
        #expect(Self.mode(of: own.path) == 0o750)
        #expect(Self.mode(of: shared.path) == 0o777)
    }

    @Test func stricterOwnDirectoryIsLeftStrict() throws {
        let dir = try Self.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let own = dir.appendingPathComponent("sotto")
        try FileManager.default.createDirectory(at: own, withIntermediateDirectories: false)
        #expect(chmod(own.path, 0o700) == 0)
        try SocketGuard.prepare(path: own.appendingPathComponent("sotto.sock").path)
        #expect(Self.mode(of: own.path) == 0o700)
    }

    @Test func tooLongPathIsRejected() throws {
        let path = "/tmp/" + String(repeating: "d", count: 120) + "/sotto.sock"
        #expect(throws: SocketGuardError.pathTooLong(path: path, max: 107)) { try SocketGuard.prepare(path: path) }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/" + String(repeating: "d", count: 120)))
        // Exactly 107 bytes still fits.
        let dir = try Self.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let prefix = dir.path + "/"
        let fitting = prefix + String(repeating: "s", count: 107 - prefix.utf8.count)
        #expect(fitting.utf8.count == 107)
        try SocketGuard.prepare(path: fitting)
    }

    @Test func fileInPlaceOfTheDirectoryIsReported() throws {
        let dir = try Self.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let blocker = dir.appendingPathComponent("sotto")
        try Data().write(to: blocker)
        let path = blocker.appendingPathComponent("sotto.sock").path
        #expect {
            try SocketGuard.prepare(path: path)
        } throws: { error in
            guard case .cannotCreateDirectory(let reported, _) = error as? SocketGuardError else { return false }
            return reported == blocker.path
        }
    }

    @Test func restrictPermissionsGives0660() throws {
        let dir = try Self.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("sotto.sock").path
        let fd = try Self.bindSocket(at: path, listening: true)
        defer { close(fd) }
        #expect(chmod(path, 0o777) == 0)

        try SocketGuard.restrictPermissions(path: path)
        #expect(Self.mode(of: path) == 0o660)
        #expect(throws: SocketGuardError.self) {
            try SocketGuard.restrictPermissions(path: dir.appendingPathComponent("absent.sock").path)
        }
    }
}
