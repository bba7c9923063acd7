import Foundation
import Testing
@testable import GGUF

@Suite struct GGUFFileTests {
    static let everyValue: [(String, GGUFValue)] = [
        ("u8", .uint8(200)), ("i8", .int8(-100)), ("u16", .uint16(60_000)), ("i16", .int16(-30_000)),
        ("u32", .uint32(4_000_000_000)), ("i32", .int32(-2_000_000_000)),
        ("u64", .uint64(UInt64.max)), ("i64", .int64(Int64.min)),
        ("f32", .float32(1.5e-6)), ("f64", .float64(-1e300)), ("t", .bool(true)), ("f", .bool(false)),
        ("s", .string("héllo ✓ 你好")), ("empty", .string("")),
        ("strings", .array([.string("a"), .string("Ġb"), .string("")])),
        ("ints", .array([.int32(1), .int32(-2), .int32(3)])),
        ("floats", .array([.float32(0.5), .float32(-2)])),
        ("u8s", .array([.uint8(1), .uint8(255)])),
        ("bools", .array([.bool(true), .bool(false)])),
        ("nested", .array([.array([.uint16(1), .uint16(2)]), .array([.uint16(3)])])),
        ("nestedStrings", .array([.array([.string("x")]), .array([])])),
        ("emptyArray", .array([])),
        ("u64s", .array([.uint64(7), .uint64(UInt64.max)])),
        ("f64s", .array([.float64(1), .float64(2.5)])),
    ]

    func makeFile() -> GGUFBuilder {
        var b = GGUFBuilder()
        for (k, v) in Self.everyValue { b.add(k, v) }
        b.addF32("a", [4, 3])
        b.addRaw("q", .q4_K, [256, 2])
        b.addRaw("h", .f16, [3])
        return b
    }

    @Test func readsEveryValueTypeInFileOrder() throws {
        let file = try ByteBox.open(makeFile().build())
        #expect(file.version == 3)
        #expect(file.metadataKeys == Self.everyValue.map(\.0))
        for (key, value) in Self.everyValue {
            #expect(file.metadata[key] == value, "\(key)")
        }
    }

    @Test func readsTensorTableAndData() throws {
        let file = try ByteBox.open(makeFile().build())
        #expect(file.tensors.map(\.name) == ["a", "q", "h"])
        #expect(file.alignment == 32)
        #expect(file.dataOffset % 32 == 0)
        let a = try #require(file.tensor(named: "a"))
        #expect(a.dimensions == [4, 3])
        #expect(a.type == .f32)
        #expect(a.elementCount == 12)
        #expect(a.byteCount == 48)
        #expect(a.offset == file.dataOffset)
        let values = file.data(of: a).withMemoryRebound(to: Float.self) { Array($0) }
        #expect(values == (0..<12).map(Float.init))
        let q = try #require(file.tensor(named: "q"))
        #expect(q.byteCount == 2 * 144)
        #expect(q.offset == file.dataOffset + 64)
        let qData = file.data(of: q)
        #expect(qData.count == 288 && qData[0] == 0 && qData[287] == UInt8(287 % 251))
        #expect(file.tensor(named: "h")?.byteCount == 6)
        #expect(file.tensor(named: "missing") == nil)
    }

    @Test func typedHelpers() throws {
        let file = try ByteBox.open(makeFile().build())
        #expect(file.integer("u8") == 200)
        #expect(file.integer("i64") == Int(Int64.min))
        #expect(file.integer("u64") == nil)  // does not fit in Int
        #expect(file.integer("s") == nil)
        #expect(file.float("f32") == Double(Float(1.5e-6)))
        #expect(file.float("u32") == 4_000_000_000)
        #expect(file.float("s") == nil)
        #expect(file.bool("t") == true && file.bool("f") == false && file.bool("u8") == nil)
        #expect(file.string("s") == "héllo ✓ 你好")
        #expect(file.string("u8") == nil)
        #expect(file.strings("strings") == ["a", "Ġb", ""])
        #expect(file.strings("ints") == nil)
        #expect(file.integers("ints") == [1, -2, 3])
        #expect(file.integers("u8s") == [1, 255])
        #expect(file.integers("strings") == nil)
        #expect(file.floats("floats") == [0.5, -2])
        #expect(file.floats("ints") == [1, -2, 3])
        #expect(file.floats("emptyArray") == [])
        #expect(file.strings("absent") == nil && file.integer("absent") == nil)
    }

    @Test(arguments: [1, 8, 64, 4096])
    func honoursAlignment(_ alignment: Int) throws {
        var b = GGUFBuilder()
        b.alignment = alignment
        b.writesAlignment = true
        b.addF32("x", [3])
        b.addF32("y", [5])
        let file = try ByteBox.open(b.build())
        #expect(file.alignment == alignment)
        #expect(file.dataOffset % alignment == 0)
        let y = try #require(file.tensor(named: "y"))
        #expect((y.offset - file.dataOffset) % alignment == 0)
        let data = file.data(of: y)  // alignment 1 leaves it unaligned for Float
        #expect((0..<5).map { data.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) } == [0, 1, 2, 3, 4])
    }

    @Test func readsVersion2() throws {
        var b = makeFile()
        b.version = 2
        let file = try ByteBox.open(b.build())
        #expect(file.version == 2)
        #expect(file.tensors.count == 3)
    }

    @Test func fileWithNoTensors() throws {
        var b = GGUFBuilder()
        b.add("general.architecture", .string("none"))
        let file = try ByteBox.open(b.build())
        #expect(file.tensors.isEmpty)
        #expect(file.string("general.architecture") == "none")
    }

    @Test func opensAFileOnDisk() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.gguf")
        try Data(makeFile().build()).write(to: url)
        let file = try GGUFFile(contentsOf: url)
        #expect(file.source == url.path)
        #expect(file.byteCount == makeFile().build().count)
        let a = try #require(file.tensor(named: "a"))
        #expect(file.data(of: a).withMemoryRebound(to: Float.self) { $0[11] } == 11)
    }

    @Test func fileErrorsNameThePath() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("missing.gguf")
        #expect(throws: GGUFError.unreadable(file: missing.path, reason: "No such file or directory")) {
            try GGUFFile(contentsOf: missing)
        }
        #expect(throws: GGUFError.unreadable(file: dir.path, reason: "not a regular file")) {
            try GGUFFile(contentsOf: dir)
        }
        let empty = dir.appendingPathComponent("empty.gguf")
        try Data().write(to: empty)
        #expect(throws: GGUFError.notGGUF(file: empty.path)) { try GGUFFile(contentsOf: empty) }
        let text = dir.appendingPathComponent("text.gguf")
        try Data("hello world".utf8).write(to: text)
        do {
            _ = try GGUFFile(contentsOf: text)
            Issue.record("opened a text file")
        } catch {
            #expect(error.message.contains(text.path))
            #expect(error.message.contains("not a GGUF file"))
        }
    }

    @Test func fileOutlivesItsCreatorAndIsSendable() async throws {
        let file = try ByteBox.open(makeFile().build())
        let sum = await Task.detached {
            file.data(of: file.tensors[0]).withMemoryRebound(to: Float.self) { $0.reduce(0, +) }
        }.value
        #expect(sum == 66)
    }
}
