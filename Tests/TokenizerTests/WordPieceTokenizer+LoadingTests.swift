import Foundation
import Testing
import Tokenizer

struct WordPieceTokenizerLoadingTests {
    /// The tiny tokenizer.json with `change` applied, written to a temporary file and loaded.
    static func load(changing change: (inout [String: Any]) -> Void) throws -> Result<WordPieceTokenizer, TokenizerError> {
        let data = try Data(contentsOf: Fixtures.url("tiny-tokenizer.json"))
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        change(&object)
        let text = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        let (directory, file) = try Fixtures.temporaryFile(named: "tokenizer.json", contents: text)
        defer { try? FileManager.default.removeItem(at: directory) }
        return Result { () throws(TokenizerError) in try WordPieceTokenizer(tokenizerJSON: file) }
    }

    static func loadVocabulary(_ contents: String, lowercase: Bool = true) throws -> Result<WordPieceTokenizer, TokenizerError> {
        let (directory, file) = try Fixtures.temporaryFile(named: "vocab.txt", contents: contents)
        defer { try? FileManager.default.removeItem(at: directory) }
        return Result { () throws(TokenizerError) in try WordPieceTokenizer(vocabTXT: file, lowercase: lowercase) }
    }

    @Test func vocabTXTGivesTheSameIDsAsTheEquivalentTokenizerJSON() throws {
        let fromJSON = try Fixtures.tinyTokenizer()
        let fromTXT = try WordPieceTokenizer(vocabTXT: Fixtures.url("tiny-vocab.txt"))
        for (text, ids) in WordPieceTokenizerTests.cases {
            #expect(fromTXT.encode(text) == ids, "\(text)")
        }
        #expect(fromTXT.encode("hello [MASK]", maxLength: 3) == fromJSON.encode("hello [MASK]", maxLength: 3))
        #expect(fromTXT.vocabularySize == fromJSON.vocabularySize)
        #expect(fromTXT.truncationMaxLength == nil)
    }

    @Test func vocabTXTLinesLoseTrailingWhitespaceAndCarriageReturns() throws {
        let tokenizer = try Self.loadVocabulary("[PAD]\r\n[UNK]\r\n[CLS] \r\n[SEP]\r\nhello\t\r\n").get()
        #expect(tokenizer.encode("Hello") == [2, 4, 3])
        #expect(tokenizer.token(for: 4) == "hello")
    }

    @Test func vocabTXTCanKeepCaseAndAccents() throws {
        let cased = try Self.loadVocabulary("[PAD]\n[UNK]\n[CLS]\n[SEP]\nCafé\ncafe\n", lowercase: false).get()
        #expect(cased.encode("Café cafe Cafe") == [2, 4, 5, 1, 3])
    }

    @Test func vocabTXTWithoutTheSpecialTokensIsRefused() throws {
        let result = try Self.loadVocabulary("[PAD]\n[UNK]\n[SEP]\nhello\n")
        guard case let .failure(error) = result, case let .missingToken(_, token) = error else {
            Issue.record("expected missingToken")
            return
        }
        #expect(token == "[CLS]")
        #expect(error.message.contains("[CLS]"))
    }

    @Test func bertProcessingIsReadLikeTheTemplate() throws {
        let tokenizer = try Self.load { object in
            object["post_processor"] = ["type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]]
        }.get()
        #expect(tokenizer.encode("hello world") == [2, 5, 6, 3])
    }

    @Test func withoutAPostProcessorNoSpecialsAreAdded() throws {
        let tokenizer = try Self.load { $0["post_processor"] = NSNull() }.get()
        #expect(tokenizer.encode("hello world") == [5, 6])
        #expect(tokenizer.clsID == 2 && tokenizer.sepID == 3)
    }

    @Test(arguments: [
        ("normalizer", #"{"type": "NFC"}"#, "NFC"),
        ("pre_tokenizer", #"{"type": "Whitespace"}"#, "Whitespace"),
        ("model", #"{"type": "BPE", "vocab": {}, "merges": []}"#, "BPE"),
        ("post_processor", #"{"type": "RobertaProcessing"}"#, "RobertaProcessing"),
    ])
    func unsupportedComponentsAreRefused(key: String, json: String, type: String) throws {
        let value = try JSONSerialization.jsonObject(with: Data(json.utf8))
        let result = try Self.load { $0[key] = value }
        guard case let .failure(error) = result, case let .unsupported(_, component, found) = error else {
            Issue.record("\(key) \(type) was accepted")
            return
        }
        #expect(component == key)
        #expect(found == type)
        #expect(error.message.contains(type))
    }

    @Test func badIDsAndMissingUnknownTokenAreRefused() throws {
        let negative = try Self.load { object in
            var model = object["model"] as? [String: Any] ?? [:]
            model["vocab"] = ["[PAD]": 0, "[UNK]": -5, "[CLS]": 2, "[SEP]": 3]
            object["model"] = model
        }
        guard case .failure(.invalidField) = negative else {
            Issue.record("a negative id was accepted")
            return
        }
        let noUnknown = try Self.load { object in
            var model = object["model"] as? [String: Any] ?? [:]
            model["unk_token"] = "<unk>"
            object["model"] = model
        }
        guard case .failure(.missingToken(_, "<unk>")) = noUnknown else {
            Issue.record("a missing unknown token was accepted")
            return
        }
    }

    @Test func malformedAndMissingFilesAreErrors() throws {
        let (directory, file) = try Fixtures.temporaryFile(named: "tokenizer.json", contents: "{\"model\": [1, 2,, 3]}")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect {
            try WordPieceTokenizer(tokenizerJSON: file)
        } throws: { error in
            guard let error = error as? TokenizerError, case let .malformedJSON(_, offset, _) = error else { return false }
            return offset == 16 && error.message.contains("fetch-models")
        }
        let missing = directory.appendingPathComponent("absent.json")
        #expect {
            try WordPieceTokenizer(tokenizerJSON: missing)
        } throws: { error in
            guard let error = error as? TokenizerError, case .unreadable = error else { return false }
            return error.message.contains("absent.json")
        }
    }
}
