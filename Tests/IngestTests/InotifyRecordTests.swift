import Glibc
import Testing
@testable import Ingest

@Suite struct InotifyRecordTests {
    /// Encodes a record as the kernel lays it out: header, then the name NUL-padded to `nameLength`.
    private static func bytes(descriptor: Int32, mask: UInt32, cookie: UInt32 = 0, name: String, nameLength: Int) -> [UInt8] {
        var result: [UInt8] = []
        withUnsafeBytes(of: descriptor.littleEndian) { result += $0 }
        withUnsafeBytes(of: mask.littleEndian) { result += $0 }
        withUnsafeBytes(of: cookie.littleEndian) { result += $0 }
        withUnsafeBytes(of: UInt32(nameLength).littleEndian) { result += $0 }
        let name = Array(name.utf8)
        return result + name + [UInt8](repeating: 0, count: nameLength - name.count)
    }

    private static func parse(_ bytes: [UInt8]) -> [InotifyRecord] {
        bytes.withUnsafeBytes { InotifyRecord.parse($0) }
    }

    @Test func headerMatchesTheKernelLayout() {
        #expect(InotifyRecord.headerSize == 16)
    }

    @Test func parsesConsecutiveRecordsWithPaddedNames() {
        let buffer = Self.bytes(descriptor: 1, mask: UInt32(IN_CREATE), name: "a.txt", nameLength: 16)
            + Self.bytes(descriptor: 2, mask: UInt32(IN_DELETE_SELF), name: "", nameLength: 0)
            + Self.bytes(descriptor: 1, mask: UInt32(IN_MOVED_TO | IN_ISDIR), cookie: 7, name: "dir", nameLength: 4)
        #expect(Self.parse(buffer) == [
            InotifyRecord(descriptor: 1, mask: UInt32(IN_CREATE), cookie: 0, name: "a.txt"),
            InotifyRecord(descriptor: 2, mask: UInt32(IN_DELETE_SELF), cookie: 0, name: ""),
            InotifyRecord(descriptor: 1, mask: UInt32(IN_MOVED_TO | IN_ISDIR), cookie: 7, name: "dir"),
        ])
    }

    @Test func recordWithANameThatIsNotUTF8IsSkipped() {
        var invalid = Self.bytes(descriptor: 1, mask: UInt32(IN_CREATE), name: "", nameLength: 16)
        invalid.replaceSubrange(16..<18, with: [0xFF, 0x61])
        let valid = Self.bytes(descriptor: 1, mask: UInt32(IN_CREATE), name: "b", nameLength: 16)
        #expect(Self.parse(invalid + valid) == [InotifyRecord(descriptor: 1, mask: UInt32(IN_CREATE), cookie: 0, name: "b")])
    }

    @Test func overflowRecordHasNoWatch() {
        let records = Self.parse(Self.bytes(descriptor: -1, mask: UInt32(IN_Q_OVERFLOW), name: "", nameLength: 0))
        #expect(records == [InotifyRecord(descriptor: -1, mask: UInt32(IN_Q_OVERFLOW), cookie: 0, name: "")])
    }

    @Test func recordRunningPastTheBufferEndsParsing() {
        let whole = Self.bytes(descriptor: 1, mask: UInt32(IN_MODIFY), name: "ok", nameLength: 16)
        let claimsMore = Self.bytes(descriptor: 1, mask: UInt32(IN_MODIFY), name: "cut", nameLength: 32)
        #expect(Self.parse(whole + claimsMore.prefix(24)) == [
            InotifyRecord(descriptor: 1, mask: UInt32(IN_MODIFY), cookie: 0, name: "ok"),
        ])
        #expect(Self.parse(whole + claimsMore.prefix(10)).count == 1)  // a partial header is ignored
        #expect(Self.parse([]) == [])
    }

    @Test func hugeLengthDoesNotOverflow() {
        var buffer = Self.bytes(descriptor: 1, mask: UInt32(IN_MODIFY), name: "", nameLength: 0)
        buffer.replaceSubrange(12..<16, with: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(Self.parse(buffer) == [])
    }
}
