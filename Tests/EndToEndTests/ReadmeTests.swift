import Foundation
import Testing

/// The README is what a newcomer follows line by line: what it names must exist, and its commands must work.
@Suite(.serialized) struct ReadmeTests {
    static let root = DaemonHarness.packageRoot
    static let readme = (try? String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""

    /// The lines of the section under `## title`, up to the next `## `.
    static func section(_ title: String) -> [String] {
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: "## " + title) else { return [] }
        let rest = lines[(start + 1)...]
        return Array(rest.prefix { !$0.hasPrefix("## ") })
    }

    /// Every repository path the README names in backquotes or links (`Scripts/…`, `docs/…`, …).
    static func namedPaths() -> Set<String> {
        var found: Set<String> = []
        let pattern = /(?:^|[`(\s])((?:\.\.\/|\.\/)?(?:Scripts|docs|etc|systemd|examples|eval|Sources|Tests|shared)\/[A-Za-z0-9_.\/-]*[A-Za-z0-9_-])/
        for match in readme.matches(of: pattern) { found.insert(String(match.1)) }
        return found
    }

    @Test func theReadmeNamesOnlyFilesInTheRepository() throws {
        #expect(!Self.readme.isEmpty)
        #expect(!Self.readme.contains("../"), "a clone has nothing outside the repository")
        let paths = Self.namedPaths()
        #expect(paths.contains("Scripts/fetch-models") && paths.contains("docs/openapi.yaml"), "\(paths.sorted())")
        for path in paths.sorted() {
            #expect(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(path).path), "README names \(path)")
        }
    }

    @Test func theModelHashesAreWhereTheReadmeSays() throws {
        let models = Self.section("Models").joined(separator: "\n")
        #expect(models.contains("Scripts/fetch-models"))
        let script = try String(contentsOf: Self.root.appendingPathComponent("Scripts/fetch-models"), encoding: .utf8)
        #expect(script.contains("\nMODELS = ["))
        #expect(script.contains("sha256="), "the table in Scripts/fetch-models holds the hashes")
        #expect(!script.contains("MODELS.md"), "Scripts/fetch-models must not send readers to a file a clone lacks")
    }

    /// Runs the README's curl line as written, with `sotto` on PATH and no XDG_RUNTIME_DIR (as root
    /// or in a bare session), the case where a hard-coded `$XDG_RUNTIME_DIR/…` path failed.
    @Test(.enabled(if: SystemdUnitHarness.executable(named: "curl") != nil, "curl is not installed (Scripts/install-deps installs it)"))
    func theReadmesCurlLineReachesTheDaemon() throws {
        let line = try #require(
            Self.section("Using it").first { $0.hasPrefix("curl --unix-socket") }, "no curl line under \"Using it\"")
        #expect(line.contains("$(sotto socket)"), "\(line)")
        let harness = try DaemonHarness()
        try harness.start()
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", line]
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_RUNTIME_DIR"] = nil
        environment["SOTTO_SOCKET"] = harness.socketPath  // the harness's daemon; sotto socket must honour it
        environment["PATH"] = DaemonHarness.binDirectory.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        shell.environment = environment
        let out = Pipe()
        shell.standardOutput = out
        shell.standardError = FileHandle.nullDevice
        try shell.run()
        let body = out.fileHandleForReading.readDataToEndOfFile()
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 0, "\(line)")
        let status = try JSONSerialization.jsonObject(with: body) as? [String: Any]
        #expect(status?["socket"] as? String == harness.socketPath, "\(String(decoding: body, as: UTF8.self))")
        #expect(harness.stop() == 0)
    }

    /// `sotto socket` prints the path the other commands use, in every case of the precedence.
    @Test func sottoSocketPrintsThePathSottoUses() throws {
        // An empty XDG_RUNTIME_DIR counts as unset, as it does for sotto; the harness unsets SOTTO_SOCKET.
        func socket(_ arguments: [String], _ environment: [String: String]) throws -> String {
            let run = try DaemonHarness.run(DaemonHarness.sotto, ["socket"] + arguments, environment: environment)
            #expect(run.status == 0)
            return run.out
        }
        let fallback = getuid() == 0 ? "/run/sotto/sotto.sock" : "/tmp/sotto-\(getuid())/sotto.sock"
        #expect(try socket([], ["XDG_RUNTIME_DIR": ""]) == fallback + "\n")
        #expect(try socket([], ["XDG_RUNTIME_DIR": "/run/user/1234"]) == "/run/user/1234/sotto/sotto.sock\n")
        #expect(try socket([], ["XDG_RUNTIME_DIR": "/run/user/1234", "SOTTO_SOCKET": "/srv/s.sock"]) == "/srv/s.sock\n")
        #expect(try socket(["--socket", "/x/y.sock"], ["SOTTO_SOCKET": "/srv/s.sock"]) == "/x/y.sock\n")
        // And it is the socket the commands try: the not-running message names the same path.
        let status = try DaemonHarness.run(DaemonHarness.sotto, ["status"], environment: ["XDG_RUNTIME_DIR": "/nonexistent-run"])
        #expect(status.status == 3)
        #expect(status.err.contains("/nonexistent-run/sotto/sotto.sock"), "\(status.err)")
    }

    /// The system service reads its models from /var/lib/sotto/models, and `systemd-analyze verify`
    /// passes only once the binary is installed: the README's steps must come in that order.
    @Test func serviceInstallationStepsComeInAWorkingOrder() throws {
        let steps = Self.section("Installing as a service").filter { $0.hasPrefix("sudo ") || $0.hasPrefix("make") }
        func position(_ text: String) -> Int? { steps.firstIndex { $0.contains(text) } }
        let install = try #require(position("make install"), "\(steps)")
        let fetch = try #require(position("Scripts/fetch-models all --system"), "the system models step is missing: \(steps)")
        let verify = try #require(position("systemd-analyze verify"), "\(steps)")
        let enable = try #require(position("systemctl enable --now sottod"), "\(steps)")
        #expect(install < verify && verify < enable)
        #expect(fetch < enable)
        let userSteps = Self.section("Installing as a service").filter { $0.hasPrefix("Scripts/") || $0.hasPrefix("systemctl --user") }
        let userFetch = try #require(userSteps.firstIndex { $0.hasPrefix("Scripts/fetch-models all") }, "\(userSteps)")
        let userEnable = try #require(userSteps.firstIndex { $0.contains("enable --now sottod") })
        #expect(userFetch < userEnable)
    }
}
