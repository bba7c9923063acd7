import Foundation
import Testing
@testable import Tokenizer

/// The generated tables and their lookups against the per-scalar classes that
/// Scripts/make-tokenizer-goldens recorded from the reference.
struct BertCharacterClassTests {
    static func ranges(_ key: String, in golden: [String: Any]) throws -> [ClosedRange<UInt32>] {
        let pairs = try #require(golden[key] as? [[Int]], "no \(key) in the goldens")
        return pairs.map { UInt32($0[0])...UInt32($0[1]) }
    }

    /// Checks ASCII exhaustively (it has its own fast paths), the scalars on both sides of every range
    /// edge (where a search goes wrong), and a seeded sample of the rest.
    @Test func everyRangeEdgeIsClassifiedLikeTheReference() throws {
        let data = try Data(contentsOf: Fixtures.url("bert-normalizer-goldens.json"))
        let golden = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let classes: [(name: String, test: (UInt32) -> Bool)] = [
            ("removed", BertCharacterClass.isRemoved),
            ("whitespace", BertCharacterClass.isWhitespace),
            ("punctuation", BertCharacterClass.isPunctuation),
            ("separators", BertCharacterClass.isSeparator),
            ("marks", BertCharacterClass.isNonspacingMark),
        ]
        var generator = SplitMix64(seed: 42)
        let sample = (0..<20_000).map { _ in UInt32(generator.next() % 0x110000) }
        for (name, test) in classes {
            let ranges = try Self.ranges(name, in: golden)
            var probes = Array(UInt32(0)..<0x80) + sample
            for range in ranges {
                probes += [range.lowerBound, range.upperBound, range.lowerBound &- 1, range.upperBound + 1]
            }
            var wrong: [String] = []
            for value in probes where value <= 0x10FFFF && !(0xD800...0xDFFF).contains(value) && value != 0x20 {
                // U+0020 is in no golden class: the script skips the space everything maps to.
                let expected = ranges.contains { $0.contains(value) }
                if test(value) != expected, wrong.count < 10 { wrong.append(String(format: "U+%04X", value)) }
            }
            #expect(wrong.isEmpty, "\(name): \(wrong.joined(separator: ", "))")
            #expect(ranges.count > 0)
        }
        #expect(BertCharacterClass.isSeparator(0x20))
    }

    @Test func chineseCharactersAreTheReferencesBlocks() {
        #expect(BertCharacterClass.isChineseCharacter(0x4E00) && BertCharacterClass.isChineseCharacter(0x2B81F))
        #expect(!BertCharacterClass.isChineseCharacter(0x2B820) && !BertCharacterClass.isChineseCharacter(0x2B91F))
        #expect(BertCharacterClass.isChineseCharacter(0x2B920) && !BertCharacterClass.isChineseCharacter(0x3041))
    }
}

/// A tiny seeded generator, so the sample is the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
