import Glibc
import Testing
@testable import Ingest

struct WalkProblemTests {
    @Test func reasonsForSystemErrors() {
        #expect(WalkProblem.reason(errno: EACCES, reading: "reading directory") == "permission denied reading directory")
        #expect(WalkProblem.reason(errno: ELOOP, reading: "reading directory") == "symbolic link loop")
        #expect(WalkProblem.reason(errno: EMFILE, reading: "reading directory").contains("ulimit"))
        #expect(WalkProblem.reason(errno: EROFS, reading: "reading directory").hasPrefix("error reading directory: "))
    }
}
