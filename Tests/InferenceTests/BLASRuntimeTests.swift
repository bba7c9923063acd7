import Foundation
import Testing
@testable import Inference

@Suite struct BLASRuntimeTests {
    @Test func suggestsBetterKernelsOnlyForALegacyGuessOnANewerCPU() {
        let avx512: Set = ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]
        #expect(BLASRuntime.betterCoreType(current: "Prescott", cpuFlags: avx512) == "SkylakeX")
        #expect(BLASRuntime.betterCoreType(current: "Prescott", cpuFlags: ["avx", "avx2", "fma"]) == "Haswell")
        #expect(BLASRuntime.betterCoreType(current: "Prescott", cpuFlags: ["sse3", "avx"]) == nil)
        #expect(BLASRuntime.betterCoreType(current: "Haswell", cpuFlags: avx512) == nil)
        #expect(BLASRuntime.betterCoreType(current: "Zen", cpuFlags: ["avx2", "fma"]) == nil)
    }

    @Test func reportsTheCoreInUse() {
        #expect(!BLASRuntime.coreName.isEmpty)
    }
}

/// Parity with the OpenBLAS kernels production uses. `sottod` and `bench-encoder` restart themselves
/// with `OPENBLAS_CORETYPE` set when OpenBLAS misdetects the CPU; this test process does not, so
/// it runs `bench-encoder --check-goldens`, which restarts like `sottod`, and reads its verdict.
@Suite(.enabled(if: Fixtures.hasMiniLM, Fixtures.noMiniLM))
struct BLASRuntimeProductionParityTests {
    struct Verdict: Decodable {
        let records: Int
        let min_cosine: Double
        let blas_core: String
        let gemm: String
    }

    /// bench-encoder next to the test bundle (SwiftPM puts products and tests in one directory).
    static var benchEncoder: URL? {
        let exe = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "")
        var candidate = exe.deletingLastPathComponent()
        for _ in 0..<4 {
            let binary = candidate.appendingPathComponent("bench-encoder")
            if FileManager.default.isExecutableFile(atPath: binary.path) { return binary }
            candidate = candidate.deletingLastPathComponent()
        }
        return nil
    }

    @Test func productionKernelsGiveSentenceTransformersVectors() throws {
        let binary = try #require(Self.benchEncoder, "bench-encoder is not built next to the tests; run `swift build --product bench-encoder`")
        let process = Process()
        process.executableURL = binary
        process.arguments = [Fixtures.miniLM.path, "--check-goldens", Fixtures.directory.appendingPathComponent("minilm-goldens.json").path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let verdict = try JSONDecoder().decode(Verdict.self, from: data)
        #expect(verdict.records >= 500)
        // Float products give sentence-transformers' vectors to within rounding; the int8 ones (the
        // default where the CPU has AVX-512 VNNI) to within the bound set for them.
        #expect(verdict.min_cosine >= (verdict.gemm == "int8" ? 0.995 : 0.99999), "\(verdict.gemm)")
        // The restart worked: the kernels are not a legacy guess on a CPU that has better ones.
        #expect(BLASRuntime.betterCoreType(current: verdict.blas_core, cpuFlags: BLASRuntime.cpuFlags()) == nil, "\(verdict.blas_core)")
    }
}
