import CSpawn
import Glibc

/// One run of an extractor child: spawned with a document on standard input and nothing else open,
/// read through pipes under an output bound and a wall-clock deadline, killed past either.
public struct ExtractorProcess: Sendable {
    public enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
        case timedOut
        case outputTooLarge
        /// `isCancelled` said so: the child was killed, its output is not a result.
        case cancelled
    }

    public struct Outcome: Sendable {
        public var termination: Termination
        public var output: [UInt8]
        /// The end of standard error (the last 8 KiB), for the failure's message.
        public var diagnostics: String
        /// How many times the deadline was extended (progress marks granted).
        public var extensions: Int

        public init(termination: Termination, output: [UInt8], diagnostics: String, extensions: Int = 0) {
            self.termination = termination
            self.output = output
            self.diagnostics = diagnostics
            self.extensions = extensions
        }
    }

    public struct SpawnError: Error, Sendable {
        public var message: String
    }

    public var executable: String
    public var arguments: [String]
    /// `NAME=value` strings: all the child gets.
    public var environment: [String]
    public var timeout: Duration
    public var maxOutputBytes: Int
    /// Time added to the deadline for each `progressMark` byte the child writes to standard error
    /// (a page it begins to recognise), at most `maxExtensions` times: a long scan gets the time its
    /// pages need, while a child hung before any page still meets `timeout`.
    public var extensionPerMark: Duration = .zero
    public var maxExtensions = 0
    /// Asked at least every `cancellationCheck` while the child runs; true kills it (the daemon is
    /// stopping: a scan's OCR may have minutes left, which a stop should not wait for).
    public var isCancelled: @Sendable () -> Bool = { false }
    public static let cancellationCheck: Duration = .milliseconds(200)

    /// The byte a child writes to standard error as it begins a unit of work that earns more time
    /// (ASCII record separator: never part of a diagnostic's text; it is removed from them).
    public static let progressMark: UInt8 = 0x1E

    public init(executable: String, arguments: [String], environment: [String], timeout: Duration, maxOutputBytes: Int) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.timeout = timeout
        self.maxOutputBytes = maxOutputBytes
    }

    /// Blocks until the child is gone; call it off the cooperative pool.
    public func run(standardInput: Int32) throws(SpawnError) -> Outcome {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        guard sotto_pipe_cloexec(&outPipe) == 0 else { throw SpawnError(message: "pipe: \(Self.errnoText())") }
        guard sotto_pipe_cloexec(&errPipe) == 0 else {
            close(outPipe[0])
            close(outPipe[1])
            throw SpawnError(message: "pipe: \(Self.errnoText())")
        }
        let pid: pid_t
        do {
            pid = try spawn(standardInput: standardInput, output: outPipe[1], errors: errPipe[1])
        } catch {
            for descriptor in outPipe + errPipe { close(descriptor) }
            throw error
        }
        close(outPipe[1])
        close(errPipe[1])
        defer {
            close(outPipe[0])
            close(errPipe[0])
        }
        return collect(pid: pid, output: outPipe[0], errors: errPipe[0])
    }

    private func spawn(standardInput: Int32, output: Int32, errors: Int32) throws(SpawnError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, standardInput, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, errors, 2)
        // Whatever the daemon has open (the database, the socket, clients) stays out of the child,
        // CLOEXEC or not.
        sotto_spawn_close_from(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw SpawnError(message: "cannot start \(executable): \(String(cString: strerror(result)))") }
        return pid
    }

    private func collect(pid: pid_t, output: Int32, errors: Int32) -> Outcome {
        var deadline = ContinuousClock.now + timeout
        var extensions = 0
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var open: [Int32] = [output, errors]
        var ended: Termination?
        var buffer = [UInt8](repeating: 0, count: 1 << 16)

        while !open.isEmpty && ended == nil {
            if isCancelled() {
                ended = .cancelled
                break
            }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                ended = .timedOut
                break
            }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let milliseconds = Int32(max(1, Self.milliseconds(min(Self.cancellationCheck, remaining))))
            let ready = poll(&fds, nfds_t(fds.count), milliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for entry in fds where entry.revents != 0 {
                let got = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if got > 0 {
                    if entry.fd == output {
                        stdout.append(contentsOf: buffer[0..<got])
                        if stdout.count > maxOutputBytes { ended = .outputTooLarge }
                    } else {
                        let marks = buffer[0..<got].count { $0 == Self.progressMark }
                        let granted = min(marks, maxExtensions - extensions)
                        if granted > 0 {
                            extensions += granted
                            deadline += extensionPerMark * granted
                        }
                        stderr.append(contentsOf: buffer[0..<got].filter { $0 != Self.progressMark })
                        if stderr.count > 16_384 { stderr.removeFirst(stderr.count - 8192) }
                    }
                } else if got == 0 || (errno != EINTR && errno != EAGAIN) {
                    open.removeAll { $0 == entry.fd }
                }
            }
        }

        // Both pipes are closed: the child is exiting, or it closed them and lingers until the deadline.
        var status: Int32 = 0
        while ended == nil {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR {
                ended = .exited(-1)
                break
            }
            if ContinuousClock.now >= deadline {
                ended = .timedOut
                break
            }
            if isCancelled() {
                ended = .cancelled
                break
            }
            usleep(5_000)
        }
        if let ended {
            if ended != .exited(-1) {
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            }
            return Outcome(termination: ended, output: stdout, diagnostics: Self.text(stderr), extensions: extensions)
        }
        let signal = status & 0x7F
        let termination: Termination = signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
        return Outcome(termination: termination, output: stdout, diagnostics: Self.text(stderr), extensions: extensions)
    }

    /// Whole milliseconds of `duration`, for poll(2).
    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    private static func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.suffix(8192), as: UTF8.self)
    }

    private static func errnoText() -> String {
        String(cString: strerror(errno))
    }

    /// "SIGSEGV" for 11, and so on; "signal 42" for the rest.
    public static func signalName(_ number: Int32) -> String {
        let names: [Int32: String] = [
            SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
            SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV",
            SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM", SIGXCPU: "SIGXCPU", SIGXFSZ: "SIGXFSZ",
            SIGSYS: "SIGSYS",
        ]
        return names[number] ?? "signal \(number)"
    }
}
