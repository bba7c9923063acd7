#if canImport(Glibc)
import Glibc
#endif
import CBLAS
import Foundation

/// Which kernels OpenBLAS runs, and a way to get the right ones on CPUs it does not recognise.
///
/// Debian's OpenBLAS picks its kernels at load time from the CPU model number. Version 0.3.21
/// (Debian 12) does not know recent Xeons (e.g. family 6 model 207) and falls back to "Prescott",
/// SSE3 kernels that run the encoder about 3× slower than the AVX2 ones. The choice can only be
/// overridden by `OPENBLAS_CORETYPE` in the environment before the library loads, so a program
/// that cares calls `restartWithBetterKernelsIfNeeded()` first thing in `main`.
public enum BLASRuntime {
    /// OpenBLAS's name for the kernels in use, e.g. "Haswell", "SkylakeX", "Prescott".
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Kernel families older than AVX2; seeing one of these on an AVX2 CPU means OpenBLAS guessed.
    static let legacyCores: Set<String> = ["prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "katmai", "coppermine", "northwood", "banias", "unknown"]

    /// The `OPENBLAS_CORETYPE` to use instead of the one OpenBLAS chose, or nil when its choice is right.
    /// `cpuFlags` are the CPU's feature flags as /proc/cpuinfo spells them.
    static func betterCoreType(current: String, cpuFlags: Set<String>) -> String? {
        guard legacyCores.contains(current.lowercased()) else { return nil }
        if ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"].allSatisfy(cpuFlags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(cpuFlags.contains) { return "Haswell" }
        return nil
    }

    /// The feature flags of the first CPU in /proc/cpuinfo (empty where there is none).
    static func cpuFlags() -> Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    /// The core type to set, when OpenBLAS fell back to old kernels on a CPU that has better ones
    /// and the user has not chosen one already.
    public static func suggestedCoreType() -> String? {
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil else { return nil }
        return betterCoreType(current: coreName, cpuFlags: cpuFlags())
    }

    /// When `suggestedCoreType()` has an answer, executes this program again with `OPENBLAS_CORETYPE`
    /// set (same arguments, same environment otherwise) and does not return. Call it before starting
    /// any threads. Returns normally when nothing needs to change or the restart is impossible.
    public static func restartWithBetterKernelsIfNeeded() {
        #if os(Linux)
        guard let coreType = suggestedCoreType() else { return }
        setenv("OPENBLAS_CORETYPE", coreType, 1)
        let arguments = CommandLine.unsafeArgv
        // The executable's real path, not /proc/self/exe: the process keeps its name ("sottod") in
        // ps, pgrep and systemctl status.
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "/proc/self/exe"
        execv(executable, arguments)
        // execv returned: keep running with the kernels we have.
        unsetenv("OPENBLAS_CORETYPE")
        #endif
    }
}
