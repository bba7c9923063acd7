// Checks the shipped systemd units with systemd's own tools, the way an administrator would:
// `systemd-analyze verify` (syntax, known settings, executable paths) and
// `systemd-analyze security --offline=yes` (the sandbox's exposure score). Neither needs systemd to
// be PID 1, so this runs in containers and CI too; where systemd-analyze is missing it is skipped.

import Foundation
import Testing

/// One unit file in `systemd/` and how systemd would load it.
struct ShippedUnit: CustomTestStringConvertible, Sendable {
    /// File name in the repository's `systemd/` folder.
    let sourceName: String
    /// Loaded by a per-user manager (`systemd-analyze --user`).
    let isUserUnit: Bool
    /// Highest acceptable overall exposure from `systemd-analyze security`, measured with
    /// systemd 252 (system unit 0.4, user unit 1.4) plus a little headroom for newer checks.
    let maximumExposure: Double

    var testDescription: String { sourceName }

    static let all = [
        ShippedUnit(sourceName: "sottod.service", isUserUnit: false, maximumExposure: 0.6),
        ShippedUnit(sourceName: "sottod-user.service", isUserUnit: true, maximumExposure: 1.6),
    ]
}

/// Output and exit status of a finished command.
struct CommandResult: Sendable {
    let status: Int32
    let output: String
}

enum SystemdUnitHarness {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .resolvingSymlinksInPath()
        .deletingLastPathComponent()  // EndToEndTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    static let systemdAnalyze: String? = executable(named: "systemd-analyze")
    static let make: String? = executable(named: "make")

    static func executable(named name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/bin"]
        return directories
            .map { URL(fileURLWithPath: $0).appendingPathComponent(name).path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a command to completion with stdout and stderr merged (systemd-analyze reports
    /// problems with a unit on stderr, the security table on stdout).
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:]
    ) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        // Read before waiting: a full pipe would otherwise block the child forever.
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(
            status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    static func makeTemporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sotto-systemd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        return directory
    }

    static func unitText(_ unit: ShippedUnit) throws -> String {
        let url = repositoryRoot.appendingPathComponent("systemd").appendingPathComponent(
            unit.sourceName)
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// The unit with the program of every `ExecStart=` replaced by /bin/true, arguments kept:
    /// verify rejects a unit whose binary is missing, and sottod is not installed here.
    static func withStandInExecutable(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            guard line.hasPrefix("ExecStart=") else { return String(line) }
            let command = line.dropFirst("ExecStart=".count)
            let arguments = command.split(separator: " ", maxSplits: 1).dropFirst().first
            return "ExecStart=/bin/true" + (arguments.map { " " + $0 } ?? "")
        }.joined(separator: "\n")
    }

    /// Writes the unit, ready for systemd-analyze, under its installed name `sottod.service`.
    static func stage(_ unit: ShippedUnit, in directory: URL) throws -> URL {
        let staged = directory.appendingPathComponent("sottod.service")
        try withStandInExecutable(try unitText(unit)).write(
            to: staged, atomically: true, encoding: .utf8)
        return staged
    }

    /// Arguments and environment that make systemd-analyze load the unit as its manager would.
    /// A user manager needs $XDG_RUNTIME_DIR, which containers and CI often lack.
    static func managerScope(_ unit: ShippedUnit, runtimeDirectory: URL) -> (
        [String], [String: String]
    ) {
        unit.isUserUnit
            ? (["--user"], ["XDG_RUNTIME_DIR": runtimeDirectory.path]) : ([], [:])
    }

    /// Lines in which systemd-analyze talks about our unit. A clean unit produces none: unknown
    /// keys and unparsable values are only warnings ("..., ignoring.") that leave the exit
    /// status at 0, so the output is the real verdict.
    static func complaints(in output: String, about unitName: String) -> [String] {
        output.split(separator: "\n").map(String.init).filter { $0.contains(unitName) }
    }

    /// The number in "→ Overall exposure level for sottod.service: 0.3 SAFE 😀".
    static func overallExposure(in output: String) -> (line: String, score: Double)? {
        for line in output.split(separator: "\n") where line.contains("Overall exposure level") {
            guard let afterColon = line.split(separator: ":").last,
                let scoreText = afterColon.split(separator: " ").first,
                let score = Double(scoreText)
            else { continue }
            return (String(line), score)
        }
        return nil
    }
}

@Suite("systemd units")
struct SystemdUnitTests {
    @Test("the stand-in rewrite keeps the arguments of ExecStart")
    func standInKeepsArguments() {
        let rewritten = SystemdUnitHarness.withStandInExecutable(
            "[Service]\nExecStartPre=+/bin/mkdir -p x\nExecStart=/usr/local/bin/sottod --socket /run/s\n")
        #expect(
            rewritten
                == "[Service]\nExecStartPre=+/bin/mkdir -p x\nExecStart=/bin/true --socket /run/s\n")
        #expect(
            SystemdUnitHarness.withStandInExecutable("ExecStart=/usr/local/bin/sottod")
                == "ExecStart=/bin/true")
    }

    @Test("ExecStart names /usr/local/bin/sottod, which make install rewrites for PREFIX",
        arguments: ShippedUnit.all)
    func execStartFollowsPrefix(unit: ShippedUnit) throws {
        let text = try SystemdUnitHarness.unitText(unit)
        let execStarts = text.split(separator: "\n").filter { $0.hasPrefix("ExecStart=") }
        #expect(execStarts.count == 1)
        #expect(execStarts.first?.hasPrefix("ExecStart=/usr/local/bin/sottod") == true)
    }

    @Test("the system unit passes the paths its directories provide")
    func systemUnitPaths() throws {
        let text = try SystemdUnitHarness.unitText(ShippedUnit.all[0])
        let execStart = text.split(separator: "\n").first { $0.hasPrefix("ExecStart=") } ?? ""
        #expect(execStart.contains("--socket /run/sotto/sotto.sock"))  // RuntimeDirectory=sotto
        #expect(execStart.contains("--database /var/lib/sotto/"))  // StateDirectory=sotto
        #expect(execStart.contains("--models /var/lib/sotto/models"))
        #expect(execStart.contains("--config /etc/sotto/sottod.toml"))  // ConfigurationDirectory
        for setting in ["RuntimeDirectory=sotto", "StateDirectory=sotto", "User=sotto"] {
            #expect(text.contains("\n\(setting)\n"), "missing \(setting)")
        }
    }

    @Test("both units keep the daemon off the network", arguments: ShippedUnit.all)
    func noNetwork(unit: ShippedUnit) throws {
        let lines = Set(try SystemdUnitHarness.unitText(unit).split(separator: "\n").map(String.init))
        #expect(lines.contains("RestrictAddressFamilies=AF_UNIX"))
        #expect(lines.contains("PrivateNetwork=yes"))
        if !unit.isUserUnit {
            #expect(lines.contains("IPAddressDeny=any"))
        }
    }

    @Test(
        "systemd-analyze verify accepts the unit without a warning",
        .enabled(
            if: SystemdUnitHarness.systemdAnalyze != nil,
            "systemd-analyze is not installed (package systemd); skipping unit verification"),
        arguments: ShippedUnit.all)
    func verify(unit: ShippedUnit) throws {
        let analyze = try #require(SystemdUnitHarness.systemdAnalyze)
        let directory = try SystemdUnitHarness.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let staged = try SystemdUnitHarness.stage(unit, in: directory)
        let (scope, environment) = SystemdUnitHarness.managerScope(unit, runtimeDirectory: directory)

        // User=sotto need not exist here: systemd 252 resolves the user only when starting the
        // unit, so verify stays silent about it. Any line naming the unit is a real finding.
        let result = try SystemdUnitHarness.run(
            analyze, scope + ["verify", staged.path], environment: environment)
        print("systemd-analyze \((scope + ["verify"]).joined(separator: " ")) \(unit.sourceName):"
            + " exit \(result.status)\n\(result.output)")
        #expect(result.status == 0)
        #expect(SystemdUnitHarness.complaints(in: result.output, about: "sottod.service") == [])
    }

    @Test(
        "systemd-analyze verify does report a broken unit",
        .enabled(
            if: SystemdUnitHarness.systemdAnalyze != nil,
            "systemd-analyze is not installed (package systemd); skipping unit verification"))
    func verifyCatchesMistakes() throws {
        let analyze = try #require(SystemdUnitHarness.systemdAnalyze)
        let directory = try SystemdUnitHarness.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let staged = try SystemdUnitHarness.stage(ShippedUnit.all[0], in: directory)
        let broken = try String(contentsOf: staged, encoding: .utf8)
            .replacingOccurrences(
                of: "[Service]\n", with: "[Service]\nProtectSytem=strict\nPrivateNetwork=maybe\n")
        try broken.write(to: staged, atomically: true, encoding: .utf8)

        let result = try SystemdUnitHarness.run(analyze, ["verify", staged.path])
        let complaints = SystemdUnitHarness.complaints(in: result.output, about: "sottod.service")
        #expect(complaints.contains { $0.contains("ProtectSytem") })
        #expect(complaints.contains { $0.contains("maybe") })
    }

    @Test(
        "systemd-analyze security rates the sandbox as safe",
        .enabled(
            if: SystemdUnitHarness.systemdAnalyze != nil,
            "systemd-analyze is not installed (package systemd); skipping the exposure check"),
        arguments: ShippedUnit.all)
    func exposure(unit: ShippedUnit) throws {
        let analyze = try #require(SystemdUnitHarness.systemdAnalyze)
        let directory = try SystemdUnitHarness.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let staged = try SystemdUnitHarness.stage(unit, in: directory)
        let (scope, environment) = SystemdUnitHarness.managerScope(unit, runtimeDirectory: directory)

        let result = try SystemdUnitHarness.run(
            analyze, scope + ["security", "--offline=yes", staged.path], environment: environment)
        let exposure = try #require(
            SystemdUnitHarness.overallExposure(in: result.output),
            "no overall exposure line in:\n\(result.output)")
        print("\(unit.sourceName): \(exposure.line)")
        #expect(result.status == 0)
        #expect(exposure.score <= unit.maximumExposure, "\(exposure.line)")
    }

    @Test(
        "make install stages binaries, config, sysusers and units rewritten for PREFIX",
        .enabled(if: SystemdUnitHarness.make != nil, "make is not installed; skipping"))
    func makeInstall() throws {
        let make = try #require(SystemdUnitHarness.make)
        let directory = try SystemdUnitHarness.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Stand-in binaries: installing must not depend on a release build.
        let build = directory.appendingPathComponent("build")
        try FileManager.default.createDirectory(at: build, withIntermediateDirectories: true)
        for name in ["sottod", "sotto"] {
            let binary = build.appendingPathComponent(name)
            try "#!/bin/sh\n".write(to: binary, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes(
                [.posixPermissions: 0o755], ofItemAtPath: binary.path)
        }
        let stage = directory.appendingPathComponent("stage")

        let result = try SystemdUnitHarness.run(
            make,
            [
                "-C", SystemdUnitHarness.repositoryRoot.path, "install", "DESTDIR=\(stage.path)",
                "PREFIX=/opt/sotto", "BUILDDIR=\(build.path)",
            ])
        print("make install: exit \(result.status)\n\(result.output)")
        try #require(result.status == 0)

        let files = FileManager.default
        for path in [
            "opt/sotto/bin/sottod", "opt/sotto/bin/sotto", "etc/sotto/sottod.toml",
            "usr/lib/sysusers.d/sotto.conf",
        ] {
            #expect(files.fileExists(atPath: stage.appendingPathComponent(path).path), "\(path)")
        }
        let systemUnit = try String(
            contentsOf: stage.appendingPathComponent("etc/systemd/system/sottod.service"),
            encoding: .utf8)
        let userUnit = try String(
            contentsOf: stage.appendingPathComponent("opt/sotto/lib/systemd/user/sottod.service"),
            encoding: .utf8)
        #expect(systemUnit.contains("\nExecStart=/opt/sotto/bin/sottod --config "))
        #expect(userUnit.contains("\nExecStart=/opt/sotto/bin/sottod\n"))
        #expect(!systemUnit.contains("/usr/local/"))
        #expect(!userUnit.contains("/usr/local/"))
        #expect(result.output.contains("systemctl daemon-reload && systemctl enable --now sottod"))
    }

    /// The release build `make` runs links the Swift runtime statically: installed binaries must
    /// not depend on where (or whether) a toolchain is on the target.
    @Test(
        "make builds with the Swift runtime linked in",
        .enabled(if: SystemdUnitHarness.make != nil, "make is not installed; skipping"))
    func releaseBuildIsStatic() throws {
        let make = try #require(SystemdUnitHarness.make)
        let dryRun = try SystemdUnitHarness.run(make, ["-C", SystemdUnitHarness.repositoryRoot.path, "-n", "build"])
        #expect(dryRun.status == 0)
        #expect(dryRun.output.contains("swift build -c release --static-swift-stdlib --scratch-path .build/static"), "\(dryRun.output)")
    }

    /// `readelf -d` lines that tie a binary to the Swift toolchain: a RUNPATH/RPATH to anywhere but
    /// the binary's own folder (SwiftPM always adds `$ORIGIN`), or a Swift runtime library it needs.
    static func toolchainDependencies(readelf output: String) -> [String] {
        output.split(separator: "\n").map(String.init).filter { line in
            ((line.contains("(RUNPATH)") || line.contains("(RPATH)"))
                && (line.split(separator: "[").last?.dropLast().split(separator: ":").contains { !$0.hasPrefix("$ORIGIN") } ?? true))
                || (line.contains("(NEEDED)") && (line.contains("libswift") || line.contains("libFoundation") || line.contains("lib_Foundation")
                    || line.contains("libdispatch") || line.contains("libBlocksRuntime")))
        }
    }

    @Test func toolchainDependenciesAreRecognised() {
        let dynamic = """
             0x0000000000000001 (NEEDED)             Shared library: [libswiftCore.so]
             0x0000000000000001 (NEEDED)             Shared library: [libc.so.6]
             0x000000000000001d (RUNPATH)            Library runpath: [/opt/swift/usr/lib/swift/linux]
            """
        #expect(Self.toolchainDependencies(readelf: dynamic).count == 2)
        #expect(Self.toolchainDependencies(readelf: " 0x01 (NEEDED)  Shared library: [libopenblas.so.0]\n").isEmpty)
        #expect(Self.toolchainDependencies(readelf: " 0x1d (RUNPATH)  Library runpath: [$ORIGIN]\n").isEmpty)
        #expect(Self.toolchainDependencies(readelf: " 0x1d (RUNPATH)  Library runpath: [/opt/swift/usr/lib/swift/linux:$ORIGIN]\n").count == 1)
    }

    /// On the binaries `make install` stages, when a `make` build exists (it takes many minutes,
    /// so the suite does not run one).
    @Test(
        "staged binaries carry no RUNPATH and need no Swift runtime library",
        .enabled(
            if: SystemdUnitHarness.make != nil && SystemdUnitHarness.executable(named: "readelf") != nil
                && FileManager.default.isExecutableFile(
                    atPath: SystemdUnitHarness.repositoryRoot.appendingPathComponent(".build/static/release/sottod").path)
                && FileManager.default.isExecutableFile(
                    atPath: SystemdUnitHarness.repositoryRoot.appendingPathComponent(".build/static/release/sotto").path),
            "no `make` release build (.build/static/release); run `make` to check the installed binaries"))
    func stagedBinariesAreSelfContained() throws {
        let make = try #require(SystemdUnitHarness.make)
        let readelf = try #require(SystemdUnitHarness.executable(named: "readelf"))
        let directory = try SystemdUnitHarness.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let stage = directory.appendingPathComponent("stage")
        let install = try SystemdUnitHarness.run(
            make, ["-C", SystemdUnitHarness.repositoryRoot.path, "install", "DESTDIR=\(stage.path)", "PREFIX=/opt/sotto"])
        try #require(install.status == 0, "\(install.output)")
        for name in ["sottod", "sotto"] {
            let dynamic = try SystemdUnitHarness.run(readelf, ["-d", stage.appendingPathComponent("opt/sotto/bin/\(name)").path])
            #expect(dynamic.status == 0)
            #expect(Self.toolchainDependencies(readelf: dynamic.output) == [], "\(name):\n\(dynamic.output)")
        }
    }
}

/// The opt-in TCP relay (`sotto-tcp.socket` and `sotto-tcp.service`): loopback only, off by default,
/// and the daemon still opens no IP socket (systemd listens, systemd-socket-proxyd relays).
@Suite("systemd TCP relay units")
struct TCPRelayUnitTests {
    static func text(_ name: String) throws -> String {
        try String(contentsOf: SystemdUnitHarness.repositoryRoot.appendingPathComponent("systemd/\(name)"), encoding: .utf8)
    }

    @Test("the socket listens on loopback only and the relay goes to the user's sottod socket")
    func loopbackOnly() throws {
        let socket = Set(try Self.text("sotto-tcp.socket").split(separator: "\n").map(String.init))
        let listens = socket.filter { $0.hasPrefix("ListenStream=") }
        #expect(listens == ["ListenStream=127.0.0.1:8765"])
        #expect(socket.contains("IPAddressDeny=any") && socket.contains("IPAddressAllow=localhost"))
        let service = try Self.text("sotto-tcp.service")
        let lines = Set(service.split(separator: "\n").map(String.init))
        #expect(lines.contains("ExecStart=/usr/lib/systemd/systemd-socket-proxyd --exit-idle-time=5min %t/sotto/sotto.sock"))
        #expect(lines.contains("RestrictAddressFamilies=AF_UNIX"))
        // Started only through its socket, which is not enabled by anything shipped.
        #expect(!service.contains("[Install]"))
    }

    @Test(
        "systemd-analyze verify accepts the relay units without a warning",
        .enabled(
            if: SystemdUnitHarness.systemdAnalyze != nil,
            "systemd-analyze is not installed (package systemd); skipping unit verification"))
    func verify() throws {
        let analyze = try #require(SystemdUnitHarness.systemdAnalyze)
        let directory = try SystemdUnitHarness.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var staged: [String] = []
        for name in ["sotto-tcp.socket", "sotto-tcp.service"] {
            let url = directory.appendingPathComponent(name)
            try Self.text(name).write(to: url, atomically: true, encoding: .utf8)
            staged.append(url.path)
        }
        let result = try SystemdUnitHarness.run(
            analyze, ["--user", "verify"] + staged, environment: ["XDG_RUNTIME_DIR": directory.path])
        print("systemd-analyze --user verify sotto-tcp.socket sotto-tcp.service: exit \(result.status)\n\(result.output)")
        #expect(result.status == 0)
        #expect(SystemdUnitHarness.complaints(in: result.output, about: "sotto-tcp") == [])
        let security = try SystemdUnitHarness.run(
            analyze, ["--user", "security", "--offline=yes", staged[1]], environment: ["XDG_RUNTIME_DIR": directory.path])
        let exposure = try #require(SystemdUnitHarness.overallExposure(in: security.output), "\(security.output)")
        print("sotto-tcp.service: \(exposure.line)")
        #expect(exposure.score <= 1.6, "\(exposure.line)")
    }
}
