/// The resource limits `sottod extract` puts on itself before it parses a document.
public struct SandboxLimits: Sendable, Codable, Equatable {
    /// Address space (RLIMIT_AS) beyond what the process has mapped when it locks itself down (see
    /// ``ExtractorLockdown/setLimits(_:)``). Past it, allocations fail and the child dies: the runner
    /// reports "ran out of memory".
    public var memoryBytes: Int
    /// CPU time (RLIMIT_CPU); SIGXCPU past it. A second line behind the runner's wall-clock timeout,
    /// for a child whose clock the runner cannot see (e.g. a stopped daemon).
    public var cpuSeconds: Int
    /// Descriptors (RLIMIT_NOFILE): stdin, stdout, stderr and the few the runtime opened at start.
    public var openFiles: Int

    public init(memoryBytes: Int = 1 << 30, cpuSeconds: Int = 90, openFiles: Int = 16) {
        self.memoryBytes = memoryBytes
        self.cpuSeconds = cpuSeconds
        self.openFiles = openFiles
    }
}
