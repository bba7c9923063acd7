import Testing
@testable import Ingest

struct TextEncodingTests {
    @Test func namesStoredInTheDatabase() {
        #expect(TextEncoding.allCases.map(\.rawValue) == ["utf-8", "utf-8-bom", "utf-16le", "utf-16be", "latin-1"])
        #expect(TextEncoding.allCases.map(\.byteOrderMarkLength) == [0, 3, 2, 2, 0])
    }
}
