import Testing
@testable import Tokenizer

struct JSONParserTests {
    static func parse(_ text: String) throws(JSONParser.Failure) -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    @Test func keepsMembersInOrderWithExactKeys() throws {
        let value = try Self.parse(#"{"b": 1, "\u00e9": 2, "e\u0301": 3, "b": 4}"#)
        let members = try #require(value.objectMembers)
        #expect(members.map { $0.key.unicodeScalars.map(\.value) } == [[0x62], [0xE9], [0x65, 0x301], [0x62]])
        #expect(members.map { $0.value.intValue } == [1, 2, 3, 4])
        // Lookup compares bytes and returns the first member of that name.
        #expect(value["b"]?.intValue == 1)
        #expect(value["e\u{301}"]?.intValue == 3)
    }

    @Test func decodesEscapesAndValues() throws {
        let value = try Self.parse(#"[ "a\"\\\/\b\f\n\r\t", "\ud83d\ude00", -1.5e3, 0, true, false, null, [], {} ]"#)
        let items = try #require(value.arrayValue)
        #expect(items.count == 9)
        #expect(items[0].stringValue == "a\"\\/\u{8}\u{C}\n\r\t")
        #expect(items[1].stringValue == "😀")
        if case let .number(number) = items[2] { #expect(number == -1500) } else { Issue.record("not a number") }
        #expect(items[2].intValue == -1500)
        #expect(items[3].intValue == 0)
        #expect(items[4].boolValue == true && items[5].boolValue == false)
        #expect(items[6].isNull)
        #expect(items[7].arrayValue?.isEmpty == true && items[8].objectMembers?.isEmpty == true)
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "\"\\ud800\"", "\"\\udc00x\"", "\"tab\there\"", "01x",
        "[1] 2", "tru", "\"\\x\"", "-", "1.", "{1: 2}",
    ])
    func rejectsMalformedDocuments(text: String) {
        #expect(throws: JSONParser.Failure.self) { try Self.parse(text) }
    }

    @Test func rejectsInvalidUTF8AndDeepNesting() {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(throws: JSONParser.Failure.self) { try Self.parse(deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: Never.self) { try Self.parse(fine) }
    }

    @Test func reportsWhereTheErrorIs() {
        do {
            _ = try Self.parse("{\"a\": [1, 2,, 3]}")
            Issue.record("parsed a malformed document")
        } catch {
            #expect(error.offset == 12)
        }
    }
}
