import Foundation
import Testing
@testable import Tokenizer

struct BertNormalizerTests {
    static let bert = BertNormalizer(cleanText: true, handleChineseCharacters: true, stripAccents: true, lowercase: true)

    static func normalize(_ text: String, with normalizer: BertNormalizer = bert) -> String {
        var output: [Unicode.Scalar] = []
        normalizer.normalize(Array(text.unicodeScalars)[...], into: &output)
        var view = String.UnicodeScalarView()
        view.append(contentsOf: output)
        return String(view)
    }

    /// Compares scalars, not Strings: String == would call canonically equivalent results equal.
    static func scalars(_ text: String) -> [UInt32] {
        text.unicodeScalars.map(\.value)
    }

    @Test func cleanTextDropsControlsAndMapsWhitespace() {
        let clean = BertNormalizer(cleanText: true, handleChineseCharacters: false, stripAccents: false, lowercase: false)
        #expect(Self.normalize("a\u{0}b\u{FFFD}c\u{7}d\u{200B}e\u{AD}f", with: clean) == "abcdef")
        #expect(Self.scalars(Self.normalize("a\tb\nc\rd\u{A0}e\u{3000}f\u{2028}g", with: clean))
            == Self.scalars("a b c d e f g"))
        // Vertical tab, form feed and NEL are controls before they are whitespace.
        #expect(Self.normalize("a\u{B}\u{C}\u{85}b", with: clean) == "ab")
        #expect(Self.normalize("KEEP Case", with: clean) == "KEEP Case")
    }

    @Test func chineseCharactersArePaddedWithSpaces() {
        let chinese = BertNormalizer(cleanText: false, handleChineseCharacters: true, stripAccents: false, lowercase: false)
        #expect(Self.normalize("ab中文c", with: chinese) == "ab 中  文 c")
        // Hiragana and Hangul are not in the reference's CJK list; U+2B820 falls in its gap.
        #expect(Self.normalize("ひら한\u{2B820}", with: chinese) == "ひら한\u{2B820}")
        #expect(Self.scalars(Self.normalize("\u{2B920}", with: chinese)) == [0x20, 0x2B920, 0x20])
    }

    @Test func accentsAreStrippedAfterCanonicalDecomposition() {
        let strip = BertNormalizer(cleanText: false, handleChineseCharacters: false, stripAccents: true, lowercase: false)
        #expect(Self.normalize("Café naïve Ångström", with: strip) == "Cafe naive Angstrom")
        #expect(Self.scalars(Self.normalize("e\u{301}\u{316}x", with: strip)) == Self.scalars("ex"))
        // Hangul syllables decompose into jamo, which are not marks.
        #expect(Self.scalars(Self.normalize("한", with: strip)) == [0x1112, 0x1161, 0x11AB])
        // A Devanagari nukta is a nonspacing mark; the vowel sign AA (a spacing mark) stays.
        #expect(Self.scalars(Self.normalize("\u{958}\u{93E}", with: strip)) == [0x915, 0x93E])
    }

    @Test func decompositionUsesTheReferencesUnicodeVersion() {
        let strip = BertNormalizer(cleanText: false, handleChineseCharacters: false, stripAccents: true, lowercase: false)
        // U+11938 decomposes since Unicode 13; the reference's tables are older.
        #expect(Self.scalars(Self.normalize("\u{11938}", with: strip)) == [0x11938])
        // Canonical reordering: a Unicode 9.0 mark (combining class 7) moves before U+1D165 (216); a
        // Unicode 10.0 one (class 9) is a starter to the reference and stays put.
        #expect(Self.scalars(Self.normalize("x\u{1D165}\u{11446}", with: strip)) == [0x78, 0x11446, 0x1D165])
        #expect(Self.scalars(Self.normalize("x\u{1D165}\u{11D42}", with: strip)) == [0x78, 0x1D165, 0x11D42])
    }

    @Test func lowercasingMapsEachScalarAlone() {
        let lower = BertNormalizer(cleanText: false, handleChineseCharacters: false, stripAccents: false, lowercase: true)
        // No final-sigma rule, as in the reference.
        #expect(Self.normalize("ΣΣ ΌΣΟΣ", with: lower) == "σσ όσοσ")
        #expect(Self.scalars(Self.normalize("İ", with: lower)) == [0x69, 0x307])
        #expect(Self.normalize("STRASSE Straße ẞ", with: lower) == "strasse straße ß")
    }

    @Test func stagesRunInTheReferenceOrder() {
        // Accents are stripped before lowercasing, so İ loses the dot that lowercasing would add.
        #expect(Self.normalize("İSTANBUL") == "istanbul")
        // Clean text runs first: the NUL between the ideographs is gone before padding.
        #expect(Self.normalize("中\u{0}文") == " 中  文 ")
        #expect(Self.normalize("") == "")
    }

    @Test func nullStripAccentsFollowsLowercase() throws {
        let json = #"{"type": "BertNormalizer", "lowercase": false, "strip_accents": null}"#
        let value = try JSONParser.parse(Array(json.utf8))
        let reader = TokenizerJSONReader(path: "test", root: .object([("normalizer", value)]))
        let normalizer = try #require(try reader.normalizer())
        #expect(normalizer.stripAccents == false)
        #expect(normalizer.cleanText && normalizer.handleChineseCharacters)
    }

    /// Every Unicode scalar, alone, against what the reference's normaliser made of it
    /// (Fixtures/bert-normalizer-goldens.json, from Scripts/make-tokenizer-goldens).
    @Test func everyScalarNormalizesLikeTheReference() throws {
        let data = try Data(contentsOf: Fixtures.url("bert-normalizer-goldens.json"))
        let golden = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        // What the reference makes of each scalar: 0 itself, 1 nothing, 2 a space, 3 padded, 4 `mapped`.
        var kinds = [UInt8](repeating: 0, count: 0x110000)
        for (key, kind) in [("deleted", UInt8(1)), ("whitespace", 2), ("chinese", 3)] {
            let pairs = try #require(golden[key] as? [[Int]])
            for pair in pairs {
                for value in pair[0]...pair[1] { kinds[value] = kind }
            }
        }
        let mappedJSON = try #require(golden["mapped"] as? [String: String])
        var mapped: [UInt32: [Unicode.Scalar]] = [:]
        for (key, value) in mappedJSON {
            let scalars = value.split(separator: " ").compactMap { UInt32($0, radix: 16).flatMap(Unicode.Scalar.init) }
            let scalar = try #require(UInt32(key, radix: 16))
            mapped[scalar] = scalars
            kinds[Int(scalar)] = 4
        }
        #expect(mapped.count > 10_000)

        func appendExpected(_ scalar: Unicode.Scalar, to output: inout [Unicode.Scalar]) {
            switch kinds[Int(scalar.value)] {
            case 1: break
            case 2: output.append(" ")
            case 3: output.append(contentsOf: [" ", scalar, " "])
            case 4: output.append(contentsOf: mapped[scalar.value] ?? [])
            default: output.append(scalar)
            }
        }

        // Scalars are checked in batches separated by "|", which no stage touches and which ends any
        // decomposition run; a failing batch is then checked scalar by scalar for the report.
        var mismatches: [String] = []
        var batch: [Unicode.Scalar] = []
        var batchExpected: [Unicode.Scalar] = []
        func flush() {
            var output: [Unicode.Scalar] = []
            Self.bert.normalize(batch[...], into: &output)
            if output != batchExpected {
                for scalar in batch where scalar != "|" {
                    var single: [Unicode.Scalar] = []
                    Self.bert.normalize([scalar][...], into: &single)
                    var expected: [Unicode.Scalar] = []
                    appendExpected(scalar, to: &expected)
                    if single != expected, mismatches.count < 20 {
                        mismatches.append(String(format: "U+%04X: got %@, expected %@", scalar.value,
                                                 "\(single.map(\.value))", "\(expected.map(\.value))"))
                    }
                }
            }
            batch.removeAll(keepingCapacity: true)
            batchExpected.removeAll(keepingCapacity: true)
        }
        var checked = 0
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            batch.append(scalar)
            batch.append("|")
            appendExpected(scalar, to: &batchExpected)
            batchExpected.append("|")
            checked += 1
            if batch.count >= 8_192 { flush() }
        }
        flush()
        #expect(checked == 1_112_064)
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
    }
}
