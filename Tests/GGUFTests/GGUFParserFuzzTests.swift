import Foundation
import Testing
@testable import GGUF

/// Property-based fuzzing of the reader: mutated GGUF images must open as a consistent file or
/// fail with a GGUFError — never crash (a crash ends the whole test run, so it cannot go unseen).
///
/// Runs `SOTTO_FUZZ_ITERATIONS` executions (default 5,000, about a second in a debug build) from seed
/// `SOTTO_FUZZ_SEED` (default fixed, so CI is deterministic), and prints the executions, the
/// rate and the error kinds seen.
@Suite struct GGUFParserFuzzTests {
    /// SplitMix64: small, fast, and the same on every platform.
    struct RNG {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
    }

    static func seeds() -> [[UInt8]] {
        var small = GGUFBuilder()
        small.add("general.architecture", .string("qwen2"))
        small.add("qwen2.block_count", .uint32(2))
        small.add("qwen2.rope.freq_base", .float32(1e6))
        small.add("tokenizer.ggml.tokens", .array((0..<40).map { .string("tok\($0)Ġ") }))
        small.add("tokenizer.ggml.token_type", .array((0..<40).map { .int32(Int32($0 % 6)) }))
        small.add("tokenizer.ggml.scores", .array((0..<8).map { .float32(Float($0)) }))
        small.add("tokenizer.ggml.add_bos_token", .bool(false))
        small.addF32("output_norm.weight", [8])
        small.addRaw("blk.0.attn_q.weight", .q4_0, [64, 2])
        small.addRaw("blk.0.ffn_down.weight", .q6_K, [256, 1])

        var every = GGUFBuilder()
        for (key, value) in GGUFFileTests.everyValue { every.add(key, value) }
        every.addRaw("h", .f16, [2, 3])
        every.addRaw("k", .q4_K, [256, 1])
        every.addRaw("q8", .q8_0, [32, 2, 1, 1])

        var aligned = GGUFBuilder()
        aligned.alignment = 64
        aligned.writesAlignment = true
        aligned.version = 2
        aligned.add("u64s", .array([.uint64(1), .uint64(2)]))
        aligned.addRaw("a", .q4_1, [32])
        aligned.addRaw("b", .q5_0, [32, 3])
        aligned.addF32("c", [1, 1, 1, 2])
        return [small.build(), every.build(), aligned.build()]
    }

    /// Values that tend to break parsers when written over a count, length, type or offset.
    static let interesting: [UInt64] = [
        0, 1, 2, 3, 4, 7, 8, 12, 13, 31, 32, 33, 63, 64, 255, 256, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF,
        0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 1 << 32, 1 << 40, 1 << 60, 1 << 62, UInt64(Int64.max),
        UInt64(Int64.max) + 1, UInt64.max, UInt64.max - 1,
    ]

    static func mutate(_ input: [UInt8], seeds: [[UInt8]], rng: inout RNG) -> [UInt8] {
        var bytes = input
        for _ in 0..<(1 + rng.below(4)) {
            switch rng.below(8) {
            case 0 where !bytes.isEmpty:  // bit flip
                let i = rng.below(bytes.count)
                bytes[i] ^= 1 << UInt8(rng.below(8))
            case 1 where !bytes.isEmpty:  // interesting byte
                bytes[rng.below(bytes.count)] = [0, 0xFF, 0x7F, 0x80, 1, 0x20, 0x40][rng.below(7)]
            case 2 where bytes.count >= 8:  // interesting 2/4/8-byte little-endian value
                let width = [2, 4, 8][rng.below(3)]
                let at = rng.below(bytes.count - width + 1)
                let value = interesting[rng.below(interesting.count)]
                for k in 0..<width { bytes[at + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(k))) }
            case 3:  // truncation
                bytes.removeLast(rng.below(bytes.count + 1))
            case 4:  // insertion of random bytes
                let at = rng.below(bytes.count + 1)
                bytes.insert(contentsOf: (0..<(1 + rng.below(16))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
            case 5 where !bytes.isEmpty:  // deletion
                let at = rng.below(bytes.count)
                bytes.removeSubrange(at..<min(bytes.count, at + 1 + rng.below(16)))
            case 6:  // splice: our prefix, another seed's suffix
                let other = seeds[rng.below(seeds.count)]
                let cut = rng.below(bytes.count + 1)
                bytes = Array(bytes[0..<cut]) + Array(other[rng.below(other.count + 1)...])
            case 7 where !bytes.isEmpty:  // duplicate a chunk in place
                let at = rng.below(bytes.count)
                let chunk = bytes[at..<min(bytes.count, at + 1 + rng.below(32))]
                bytes.insert(contentsOf: chunk, at: rng.below(bytes.count + 1))
            default:
                break
            }
        }
        return bytes
    }

    /// What an opened file promises its users; checked on every mutant that opens.
    static func checkConsistent(_ file: GGUFFile) {
        #expect(file.metadataKeys.count == file.metadata.count)
        #expect(file.alignment > 0 && file.alignment & (file.alignment - 1) == 0)
        for tensor in file.tensors {
            #expect(tensor.offset >= file.dataOffset && tensor.offset + tensor.byteCount <= file.byteCount)
            #expect(tensor.type.byteCount(elements: tensor.elementCount) == tensor.byteCount)
            #expect(file.tensor(named: tensor.name) == tensor)
            let data = file.data(of: tensor)
            #expect(data.count == tensor.byteCount)
            _ = data.first ?? 0
            _ = data.last ?? 0
        }
        _ = file.strings("tokenizer.ggml.tokens")
        _ = file.integers("tokenizer.ggml.token_type")
    }

    static func kind(of error: GGUFError) -> String {
        String("\(error)".prefix { $0 != "(" })
    }

    @Test func mutatedFilesOpenOrFailCleanly() throws {
        let environment = ProcessInfo.processInfo.environment
        let iterations = environment["SOTTO_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 5_000
        let seed = environment["SOTTO_FUZZ_SEED"].flatMap(UInt64.init) ?? 0x5077_0F00
        let seeds = Self.seeds()
        for s in seeds { Self.checkConsistent(try ByteBox.open(s)) }

        var rng = RNG(state: seed)
        var valid = 0
        var kinds: [String: Int] = [:]
        let start = ContinuousClock.now
        for _ in 0..<iterations {
            let mutant = Self.mutate(seeds[rng.below(seeds.count)], seeds: seeds, rng: &rng)
            do {
                Self.checkConsistent(try ByteBox.open(mutant))
                valid += 1
            } catch {
                #expect(!error.message.isEmpty)
                kinds[Self.kind(of: error), default: 0] += 1
            }
        }
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        let rate = Double(iterations) / max(seconds, 1e-9)
        print("GGUF fuzz: \(iterations) executions in \(String(format: "%.2f", seconds)) s "
              + "(\(Int(rate))/s), seed \(seed), \(valid) valid, errors: "
              + kinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        #expect(valid + kinds.values.reduce(0, +) == iterations)
        if iterations >= 1_000 {
            // The mutator must reach deep into the format, not just break the magic.
            #expect(valid > 0)
            #expect(kinds.count >= 8, "error kinds seen: \(kinds.keys.sorted())")
        }
    }
}
