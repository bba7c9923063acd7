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
