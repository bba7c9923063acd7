import Testing
@testable import Tokenizer

struct TokenTableTests {
    static func lookUp(_ key: String, in table: TokenTable) -> Int32? {
        table.id(for: key)
    }

    @Test func canonicallyEquivalentKeysStayDistinct() {
        var table = TokenTable(expectedCount: 4)
        table.insert(Array("\u{E9}".unicodeScalars), id: 1)
        table.insert(Array("e\u{301}".unicodeScalars), id: 2)
        table.insert(Array("한".unicodeScalars), id: 3)
        #expect(Self.lookUp("\u{E9}", in: table) == 1)
        #expect(Self.lookUp("e\u{301}", in: table) == 2)
        #expect(Self.lookUp("\u{1112}\u{1161}\u{11AB}", in: table) == nil)
        #expect(table.count == 3)
    }

    @Test func aLaterDuplicateWins() {
        var table = TokenTable(expectedCount: 2)
        table.insert(Array("x".unicodeScalars), id: 1)
        table.insert(Array("x".unicodeScalars), id: 7)
        #expect(Self.lookUp("x", in: table) == 7)
        #expect(table.count == 1)
    }

    @Test func growsPastItsExpectedSize() {
        var table = TokenTable(expectedCount: 0)
        for index in 0..<5_000 { table.insert(Array("token\(index)".unicodeScalars), id: Int32(index)) }
        #expect((0..<5_000).allSatisfy { Self.lookUp("token\($0)", in: table) == Int32($0) })
        #expect(Self.lookUp("token5000", in: table) == nil)
        #expect(Self.lookUp("", in: table) == nil)
        #expect(table.longestKey == 9)
    }
}
