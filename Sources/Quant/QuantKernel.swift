import CKernels

/// Which implementation of the C kernels runs: AVX2/FMA where the CPU has it, else portable C.
/// Tests pin each one to hold both to the reference.
enum QuantKernel: Sendable, CaseIterable {
    case portable
    case avx2

    static let hasAVX2 = sotto_kernels_have_avx2() != 0

    /// The fastest implementation this CPU runs.
    static var best: QuantKernel { hasAVX2 ? .avx2 : .portable }

    /// The implementations this CPU can run (for tests).
    static var available: [QuantKernel] { hasAVX2 ? [.portable, .avx2] : [.portable] }

    var avx2: Int32 { self == .avx2 ? 1 : 0 }
}
