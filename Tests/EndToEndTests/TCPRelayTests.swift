import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The relay that sotto-tcp.service runs, live: systemd-socket-proxyd behind a socket systemd would
/// pass it (systemd-socket-activate stands in for the manager), in front of the real daemon.
extension EndToEndTests {
    static let socketActivate = SystemdUnitHarness.executable(named: "systemd-socket-activate")
    static let socketProxy = "/usr/lib/systemd/systemd-socket-proxyd"
    static let curl = SystemdUnitHarness.executable(named: "curl")

    @Test(.enabled(
        if: socketActivate != nil && FileManager.default.isExecutableFile(atPath: socketProxy) && curl != nil,
        "systemd-socket-activate, systemd-socket-proxyd or curl is missing (package systemd, curl)"))
    func theTCPRelayReachesTheDaemonOnLoopback() throws {
        let harness = try DaemonHarness()
        try harness.start()
        let port = 20000 + Int(getpid() % 20000)
        // Started through a shell and left to run on its own: Foundation's Process would wait on it
        // from the thread that reaps every child, stalling the curl runs below.
        let activate = try #require(Self.socketActivate)
        let started = try DaemonHarness.run(
            "/bin/sh", ["-c", "\"$0\" --listen=127.0.0.1:\(port) \"$1\" \"$2\" >/dev/null 2>&1 </dev/null & echo $!", activate, Self.socketProxy, harness.socketPath])
        let relay = try #require(Int32(started.out.trimmingCharacters(in: .whitespacesAndNewlines)), "\(started)")
        defer { kill(relay, SIGTERM) }
        var body = ""
        for _ in 0..<50 {
            let answer = try DaemonHarness.run(try #require(Self.curl), ["-s", "--max-time", "5", "http://127.0.0.1:\(port)/v1/models"])
            if answer.status == 0, !answer.out.isEmpty {
                body = answer.out
                break
            }
            usleep(100_000)
        }
        #expect(body.contains("\"object\":\"list\""), "the OpenAI model list over TCP: \(body)")
        // A web page's request (browsers add Origin and Sec-Fetch-*) is refused.
        let curl = try #require(Self.curl)
        for header in ["Origin: http://attacker.example", "Sec-Fetch-Mode: no-cors"] {
            let page = try DaemonHarness.run(curl, ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", header, "http://127.0.0.1:\(port)/v1/status"])
            #expect(page.out == "403", "\(header): \(page.out)")
        }
        #expect(harness.stop() == 0)
    }
}
