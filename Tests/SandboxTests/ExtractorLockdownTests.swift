import Foundation
import Glibc
import Testing
@testable import Sandbox

/// The lock-down installed in a forked child of the test process, which then tries what a hostile
/// document would make a parser do. The filter is built in the parent; the child only installs it and
/// makes raw system calls, and reports through its exit status (or dies of the filter's SIGSYS).
@Suite struct ExtractorLockdownTests {
    enum ChildEnd: Equatable {
        case exited(Int32)
        case signaled(Int32)
        case hung
    }

    /// Forks, locks the child down, runs `attempt` in it and exits with what it returns.
    func inLockedChild(_ limits: SandboxLimits = SandboxLimits(memoryBytes: 2 << 30), _ attempt: @escaping () -> Int32) throws -> ChildEnd {
        let filter = try SyscallFilter()
        let pid = fork()
        if pid == 0 {
            do {
                try ExtractorLockdown.apply(limits, filter: filter)
            } catch {
                _exit(100)
            }
            _exit(attempt())
        }
        #expect(pid > 0)
        var status: Int32 = 0
        let deadline = ContinuousClock.now + .seconds(20)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if ContinuousClock.now > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                return .hung
            }
            usleep(2_000)
        }
        let signal = status & 0x7F
        return signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
    }

    @Test func openingAFileFailsWithPermissionDenied() throws {
        let end = try inLockedChild {
            let descriptor = open("/etc/passwd", O_RDONLY)
            return descriptor < 0 && errno == EPERM ? 0 : 1
        }
        #expect(end == .exited(0))
    }

    @Test func creatingAFileFailsToo() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lockdown-\(UUID().uuidString)").path
        let end = try inLockedChild {
            let descriptor = open(path, O_WRONLY | O_CREAT, 0o600)
            return descriptor < 0 ? 0 : 1
        }
        #expect(end == .exited(0))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func aSocketKillsTheProcess() throws {
        let end = try inLockedChild {
            _ = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            return 0
        }
        #expect(end == .signaled(SIGSYS))
    }

    @Test func aLocalSocketFailsQuietly() throws {
        let end = try inLockedChild {
            socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0) < 0 && errno == EPERM ? 0 : 1
        }
        #expect(end == .exited(0))
    }

    @Test func runningAProgramKillsTheProcess() throws {
        let end = try inLockedChild {
            let arguments: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
            _ = execv("/bin/true", arguments)
            return 0
        }
        #expect(end == .signaled(SIGSYS))
    }

    @Test func forkingKillsTheProcess() throws {
        let end = try inLockedChild {
            _ = fork()
            return 0
        }
        #expect(end == .signaled(SIGSYS))
    }

    @Test func readingWritingAndAllocatingStillWork() throws {
        var pipeEnds: [Int32] = [-1, -1]
        #expect(pipe(&pipeEnds) == 0)
        let end = try inLockedChild {
            let memory = malloc(64 << 20)
            guard let memory else { return 2 }
            memset(memory, 1, 64 << 20)
            free(memory)
            var byte: UInt8 = 42
            return write(pipeEnds[1], &byte, 1) == 1 ? 0 : 1
        }
        #expect(end == .exited(0))
        var byte: UInt8 = 0
        #expect(read(pipeEnds[0], &byte, 1) == 1 && byte == 42)
        close(pipeEnds[0])
        close(pipeEnds[1])
    }

    @Test func theAddressSpaceLimitStopsAllocations() throws {
        let end = try inLockedChild(SandboxLimits(memoryBytes: 2 << 30)) {
            // 4 GiB cannot fit under a 2 GiB address space, whatever is mapped already.
            malloc(4 << 30) == nil ? 0 : 1
        }
        #expect(end == .exited(0))
    }

    @Test func noNewPrivilegesAndNoCoreDumps() throws {
        let end = try inLockedChild {
            var limit = rlimit()
            getrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &limit)
            guard limit.rlim_cur == 0 else { return 1 }
            getrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit)
            guard limit.rlim_max == 0 else { return 2 }
            return 0
        }
        #expect(end == .exited(0))
    }
}
