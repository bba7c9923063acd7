import Foundation
import GGUF

/// Deterministic pseudo-random numbers (SplitMix64) so every run tests the same data.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum TestData {
    /// Random blocks of `type` for `count` values: random quant bits, with each f16 scale/minimum set
    /// to a small random value (as in real weights; random bits would give infinities and NaNs).
    static func weights(type: GGMLType, count: Int, seed: UInt64) -> [UInt8] {
        var rng = SeededGenerator(seed: seed)
        let bytes = type.byteCount(elements: count) ?? 0
        var out = [UInt8](repeating: 0, count: bytes)
        for k in 0..<bytes where k % 8 == 0 {
            let word = rng.next()
            for b in 0..<min(8, bytes - k) { out[k + b] = UInt8(truncatingIfNeeded: word >> (8 * UInt64(b))) }
        }
        func setHalf(_ offset: Int, _ value: Float) {
            let bits = Float16(value).bitPattern
            out[offset] = UInt8(bits & 0xFF)
            out[offset + 1] = UInt8(bits >> 8)
        }
        let blocks = count / type.blockSize
        for b in 0..<blocks {
            let base = b * type.blockBytes
            let sign: Float = Bool.random(using: &rng) ? 1 : -1
            switch type {
            case .f32:
                let v = Float.random(in: -1...1, using: &rng).bitPattern
                for k in 0..<4 { out[base + k] = UInt8((v >> (8 * UInt32(k))) & 0xFF) }
            case .f16: setHalf(base, Float.random(in: -1...1, using: &rng))
            case .q4_0, .q5_0, .q8_0: setHalf(base, sign * Float.random(in: 0.001..<0.05, using: &rng))
            case .q4_1:
                setHalf(base, Float.random(in: 0.001..<0.05, using: &rng))
                setHalf(base + 2, -Float.random(in: 0..<0.4, using: &rng))
            case .q4_K:
                setHalf(base, Float.random(in: 0.0005..<0.005, using: &rng))
                setHalf(base + 2, Float.random(in: 0.0005..<0.005, using: &rng))
            case .q6_K: setHalf(base + 208, sign * Float.random(in: 0.0002..<0.002, using: &rng))
            default: break
            }
        }
        return out
    }

    /// Activation-like values: mostly small with a few large outliers, as hidden states have.
    static func activations(count: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { i in
            let v = Float.random(in: -1...1, using: &rng)
            return i % 97 == 3 ? v * 20 : v
        }
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func fixture(_ name: String) throws -> Data {
        if let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") {
            return try Data(contentsOf: url)
        }
        return try Data(contentsOf: fixtures.appendingPathComponent(name))
    }
}

extension GGMLType {
    static let weightTypes: [GGMLType] = [.f32, .f16, .q4_0, .q4_1, .q5_0, .q8_0, .q4_K, .q6_K]
}
