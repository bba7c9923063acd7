import Foundation
import Testing
import Tokenizer

/// Holds Sotto's tokenizer to the reference ids that Scripts/make-tokenizer-goldens recorded from Hugging
/// Face `tokenizers` with the real all-MiniLM-L6-v2 tokenizer.json.
@Suite(.enabled(if: InstalledModel.isInstalled, InstalledModel.missing))
struct WordPieceParityTests {
    struct Golden: Sendable {
        var line: Int
        var source: String
        var text: String
        var ids: [Int32]
        var maxLength: Int?
        var addSpecialTokens: Bool
    }

    struct Header: Decodable, Sendable {
        var tokenizers: String
        var tokenizer_json_sha256: String
        var cases: Int
    }

    private struct Case: Decodable {
        var src: String
        var text: String
        var ids: String
        var max_length: Int?
        var specials: Bool?
    }

    /// Loaded once for all the tests of the suite.
    static let loaded = Result { () throws -> (WordPieceTokenizer, Header, [Golden]) in
        let tokenizer = try WordPieceTokenizer(tokenizerJSON: InstalledModel.tokenizerJSON)
        let (header, goldens) = try loadGoldens()
        return (tokenizer, header, goldens)
    }

    static func loadGoldens() throws -> (Header, [Golden]) {
        let data = try Data(contentsOf: Fixtures.url("wordpiece-goldens.jsonl"))
        let lines = data.split(separator: UInt8(ascii: "\n"))
        let decoder = JSONDecoder()
        let header = try decoder.decode(Header.self, from: Data(try #require(lines.first)))
        var goldens: [Golden] = []
        for (index, line) in lines.dropFirst().enumerated() {
            let entry = try decoder.decode(Case.self, from: Data(line))
            let packed = try #require(Data(base64Encoded: entry.ids), "line \(index + 2): ids are not base64")
            let ids = stride(from: 0, to: packed.count - 1, by: 2).map {
                Int32(UInt16(packed[packed.startIndex + $0]) | UInt16(packed[packed.startIndex + $0 + 1]) << 8)
            }
            goldens.append(Golden(
                line: index + 2, source: entry.src, text: entry.text, ids: ids,
                maxLength: entry.max_length, addSpecialTokens: entry.specials ?? true
            ))
        }
        return (header, goldens)
    }

    @Test func everyGoldenStringGivesTheReferenceIDs() throws {
        let (tokenizer, header, goldens) = try Self.loaded.get()
        #expect(goldens.count == header.cases)
        #expect(goldens.count >= 5_000)

        var mismatches: [String] = []
        for golden in goldens {
            let ids = tokenizer.encode(
                golden.text, maxLength: golden.maxLength, addSpecialTokens: golden.addSpecialTokens
            )
            if ids != golden.ids {
                let common = min(ids.count, golden.ids.count)
                let first = (0..<common).first { ids[$0] != golden.ids[$0] } ?? common
                mismatches.append(
                    "line \(golden.line) (\(golden.source)) \(String(reflecting: String(golden.text.prefix(60)))): "
                        + "first difference at \(first): got \(Array(ids[first...].prefix(8))), "
                        + "expected \(Array(golden.ids[first...].prefix(8)))"
                )
            }
        }
        let summary = "\(goldens.count - mismatches.count)/\(goldens.count) identical to tokenizers \(header.tokenizers)"
        print("WordPieceParityTests: \(summary)")
        let mismatchCount = mismatches.count
        #expect(mismatchCount == 0, "\(summary); first mismatches:\n\(mismatches.prefix(10).joined(separator: "\n"))")
    }

    @Test func tokenCountAgreesWithEncodeOnTheGoldens() throws {
        let (tokenizer, _, goldens) = try Self.loaded.get()
        var disagreements = 0
        for golden in goldens where golden.maxLength == nil {
            let count = tokenizer.tokenCount(golden.text[...])
            if count != tokenizer.encode(golden.text, addSpecialTokens: false).count { disagreements += 1 }
        }
        #expect(disagreements == 0)
    }

    @Test func vocabTXTGivesTheSameIDsAsTokenizerJSON() throws {
        let (fromJSON, _, goldens) = try Self.loaded.get()
        let fromTXT = try WordPieceTokenizer(vocabTXT: InstalledModel.vocabTXT)
        var differences = 0
        for golden in goldens.prefix(1_500) where fromJSON.encode(golden.text) != fromTXT.encode(golden.text) {
            differences += 1
        }
        #expect(differences == 0)
        #expect(fromTXT.vocabularySize == fromJSON.vocabularySize)
    }

    @Test func specialIDsAreBERTs() throws {
        let (tokenizer, _, _) = try Self.loaded.get()
        #expect(tokenizer.vocabularySize == 30_522)
        #expect([tokenizer.padID, tokenizer.unkID, tokenizer.clsID, tokenizer.sepID] == [0, 100, 101, 102])
        #expect(tokenizer.token(for: 2_000) == "to")
        #expect(tokenizer.truncationMaxLength == 128)
    }
}
