import CSeccomp
import Glibc

/// What `sottod extract` does to itself once its input is read and its libraries are loaded, and
/// before it parses a byte: resource limits, no core dumps, no new privileges, the system-call filter.
public enum ExtractorLockdown {
    /// Applies everything, in an order where each step is still permitted by the ones before it.
    public static func apply(_ limits: SandboxLimits, filter: SyscallFilter) throws(SandboxError) {
        try setLimits(limits)
        guard sotto_set_not_dumpable() == 0 else { throw SandboxError("PR_SET_DUMPABLE failed: \(errnoText())") }
        guard sotto_set_no_new_privs() == 0 else { throw SandboxError("PR_SET_NO_NEW_PRIVS failed: \(errnoText())") }
        try filter.load()
    }

    /// RLIMIT_AS, RLIMIT_CPU, RLIMIT_NOFILE from `limits`; no core files and no file growth at all
    /// (RLIMIT_FSIZE 0: a write to any file, were one ever opened, raises SIGXFSZ). Pipes are not files.
    ///
    /// The address-space limit is `limits.memoryBytes` more than the process has mapped now: its
    /// program, libraries, thread stacks and the document already read take some 400 MB of address
    /// space (most of it never touched), so an absolute limit of 256 MB would leave a document nothing
    /// and one of 1 GB only what happened to remain. Counted from here, the limit is what the document
    /// may make the extractor allocate, whatever the build.
    public static func setLimits(_ limits: SandboxLimits) throws(SandboxError) {
        let mapped = mappedBytes()
        try set(RLIMIT_CORE, 0, "RLIMIT_CORE")
        try set(RLIMIT_FSIZE, 0, "RLIMIT_FSIZE")
        try set(RLIMIT_CPU, rlim_t(max(1, limits.cpuSeconds)), "RLIMIT_CPU")
        try set(RLIMIT_NOFILE, rlim_t(max(3, limits.openFiles)), "RLIMIT_NOFILE")
        try set(RLIMIT_AS, rlim_t(mapped + max(1 << 20, limits.memoryBytes)), "RLIMIT_AS")
    }

    /// The process's address space now (the first field of /proc/self/statm, in pages); 0 if unknown,
    /// which makes the limit absolute (stricter, never looser).
    static func mappedBytes() -> Int {
        let descriptor = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return 0 }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return 0 }
        let field = buffer[0..<count].prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        guard let pages = Int(String(decoding: field, as: UTF8.self)) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    private static func set(_ resource: __rlimit_resource, _ value: rlim_t, _ name: String) throws(SandboxError) {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(resource.rawValue), &limit) == 0 else {
            throw SandboxError("getrlimit(\(name)) failed: \(errnoText())")
        }
        // Never above the hard limit the parent already set (lowering is always allowed).
        let capped = min(value, limit.rlim_max)
        limit.rlim_cur = capped
        limit.rlim_max = capped
        guard setrlimit(__rlimit_resource_t(resource.rawValue), &limit) == 0 else {
            throw SandboxError("setrlimit(\(name)) failed: \(errnoText())")
        }
    }

    private static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
