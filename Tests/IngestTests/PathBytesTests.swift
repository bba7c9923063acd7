import Testing
@testable import Ingest

struct PathBytesTests {
    @Test func escapesOnlyInvalidBytes() {
        #expect(PathBytes.escaped(Array("caf\u{e9}".utf8)) == "caf\u{e9}")
        #expect(PathBytes.escaped([0x61, 0xFF, 0x62]) == "a\\xffb")
        #expect(PathBytes.escaped([0xE2, 0x82]) == "\\xe2\\x82")
        #expect(PathBytes.string([0x61, 0xFF]) == nil)
        #expect(PathBytes.string(Array("a\nb".utf8)) == "a\nb")
    }
}
