import CSeccomp
import Glibc

/// The seccomp filter of the extraction child, built with libseccomp.
///
/// Only what parsing in memory needs is allowed: reading and writing descriptors that are already
/// open, memory management, futexes and threads, clocks, signals for its own crash, randomness, exit.
/// Everything else fails with EPERM (default): libraries that probe for optional things (a locale
/// file, a font configuration, `/proc`) see an ordinary error and carry on, so a harmless probe does not
/// cost the document. What no parser ever needs and an exploit always does — running a program,
/// creating a process, opening a network socket, tracing — kills the process at once (SIGSYS), so the runner
/// records the document as having killed its extractor, and quarantines it on the second time.
///
/// Built in the parent of a test's `fork` or before the child reads its input; `load()` only installs it.
public final class SyscallFilter {
    private let context: scmp_filter_ctx

    /// Allowed outright.
    static let allowed = [
        "read", "readv", "pread64", "preadv", "preadv2", "write", "writev", "pwrite64", "close", "lseek",
        "fstat", "newfstatat", "statx", "fcntl", "dup", "poll", "ppoll",
        "mmap", "munmap", "mremap", "mprotect", "brk", "madvise", "mlock", "munlock", "membarrier",
        "futex", "futex_waitv", "set_robust_list", "get_robust_list", "rseq", "set_tid_address",
        "sched_yield", "sched_getaffinity", "sched_getparam", "sched_getscheduler",
        "clock_gettime", "clock_getres", "gettimeofday", "time", "nanosleep", "clock_nanosleep",
        "getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid", "uname", "sysinfo",
        "getrlimit", "getrusage", "getrandom",
        "rt_sigreturn", "rt_sigaction", "rt_sigprocmask", "sigaltstack",
        "exit", "exit_group",
    ]

    /// Kill the process: never needed to read a document, always needed to leave the sandbox.
    static let fatal = [
        "execve", "execveat", "fork", "vfork", "ptrace", "process_vm_readv", "process_vm_writev",
        "socketpair", "connect", "bind", "listen", "accept", "accept4", "sendto", "sendmsg",
        "sendmmsg", "recvfrom", "recvmsg", "recvmmsg",
        "mount", "umount2", "unshare", "setns", "pivot_root", "chroot", "bpf", "perf_event_open",
        "userfaultfd", "io_uring_setup", "keyctl", "add_key", "request_key", "personality", "kexec_load",
        "init_module", "finit_module", "memfd_create",
    ]

    public init() throws(SandboxError) {
        guard let context = seccomp_init(sotto_act_errno(EPERM)) else {
            throw SandboxError("seccomp_init failed")
        }
        self.context = context
        // Every thread of the process, not only the caller: the Swift runtime has started its pools.
        guard seccomp_attr_set(context, SCMP_FLTATR_CTL_TSYNC, 1) == 0 else {
            throw SandboxError("seccomp cannot synchronise the filter across threads")
        }
        for name in Self.allowed { try add(sotto_act_allow(), name) }
        for name in Self.fatal { try add(sotto_act_kill_process(), name) }
        // Threads (the runtime may start one) but no processes: clone without CLONE_THREAD is a fork.
        let thread = sotto_clone_thread()
        try add(sotto_act_allow(), "clone", scmp_arg_cmp(arg: 0, op: SCMP_CMP_MASKED_EQ, datum_a: thread, datum_b: thread))
        try add(sotto_act_kill_process(), "clone", scmp_arg_cmp(arg: 0, op: SCMP_CMP_MASKED_EQ, datum_a: thread, datum_b: 0))
        // clone3 passes its flags in memory a filter cannot read: ENOSYS makes glibc fall back to clone.
        try add(sotto_act_errno(ENOSYS), "clone3")
        // Signals only to itself (abort raises SIGABRT with tgkill).
        let pid = UInt64(getpid())
        try add(sotto_act_allow(), "tgkill", scmp_arg_cmp(arg: 0, op: SCMP_CMP_EQ, datum_a: pid, datum_b: 0))
        // A local socket fails quietly with the default EPERM (glibc's syslog, which libdispatch uses to
        // report trouble, tries one); any other socket is a way out and kills.
        let unix = UInt64(AF_UNIX)
        try add(sotto_act_kill_process(), "socket", scmp_arg_cmp(arg: 0, op: SCMP_CMP_NE, datum_a: unix, datum_b: 0))
        // Threads may name themselves (libdispatch does); no other prctl.
        try add(sotto_act_allow(), "prctl", scmp_arg_cmp(arg: 0, op: SCMP_CMP_EQ, datum_a: UInt64(sotto_pr_set_name()), datum_b: 0))
        // Reading limits, never raising them.
        try add(sotto_act_allow(), "prlimit64", scmp_arg_cmp(arg: 2, op: SCMP_CMP_EQ, datum_a: 0, datum_b: 0))
    }

    deinit {
        seccomp_release(context)
    }

    /// Installs the filter on the calling thread and every thread it creates from now on. Irrevocable.
    public func load() throws(SandboxError) {
        let result = seccomp_load(context)
        guard result == 0 else { throw SandboxError("seccomp_load failed: \(String(cString: strerror(-result)))") }
    }

    private func add(_ action: UInt32, _ name: String, _ conditions: scmp_arg_cmp...) throws(SandboxError) {
        let number = seccomp_syscall_resolve_name(name)
        // A call this architecture does not have (e.g. `time` on aarch64) needs no rule.
        guard number != __NR_SCMP_ERROR else { return }
        let result = conditions.withUnsafeBufferPointer { buffer in
            seccomp_rule_add_array(context, action, number, UInt32(buffer.count), buffer.baseAddress)
        }
        guard result == 0 else {
            throw SandboxError("seccomp rule for \(name) failed: \(String(cString: strerror(-result)))")
        }
    }
}
