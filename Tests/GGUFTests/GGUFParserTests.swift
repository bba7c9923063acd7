import Testing
@testable import GGUF

/// Every way a file can be wrong gives its own error, found before anything is allocated for it.
@Suite struct GGUFParserTests {
    let file = "<memory>"

    func openError(_ bytes: [UInt8]) -> GGUFError? {
        do {
            _ = try ByteBox.open(bytes)
            return nil
        } catch {
            return error
        }
    }

    func openError(_ builder: GGUFBuilder) -> GGUFError? { openError(builder.build()) }

    func small() -> GGUFBuilder {
        var b = GGUFBuilder()
        b.add("general.architecture", .string("llama"))
        b.add("tokens", .array([.string("a"), .string("b")]))
        b.add("n", .uint32(7))
        b.addF32("w", [8, 2])
        b.addRaw("q", .q8_0, [32, 1])
        return b
    }

    /// A header with the given counts followed by `rest`.
    func header(version: UInt32 = 3, tensors: UInt64 = 0, keys: UInt64, _ rest: (inout ByteWriter) -> Void) -> [UInt8] {
        var w = ByteWriter()
        w.bytes = Array("GGUF".utf8)
        w.u32(version)
        w.u64(tensors)
        w.u64(keys)
        rest(&w)
        return w.bytes
    }

    @Test func badMagic() {
        #expect(openError([]) == .notGGUF(file: file))
        #expect(openError(Array("GGU".utf8)) == .notGGUF(file: file))
        var bytes = small().build()
        bytes[3] = UInt8(ascii: "X")
        #expect(openError(bytes) == .notGGUF(file: file))
    }

    @Test func unsupportedVersions() throws {
        for version: UInt32 in [0, 1, 4, 0x0300_0000] {
            var b = small()
            b.version = version
            #expect(openError(b) == .unsupportedVersion(file: file, version: version))
        }
        let bigEndian = GGUFError.unsupportedVersion(file: file, version: 0x0300_0000)
        #expect(bigEndian.message.contains("big-endian"))
    }

    @Test func truncationAtEveryByteIsAnError() throws {
        let bytes = small().build()
        let whole = try ByteBox.open(bytes)
        let end = whole.tensors.map { $0.offset + $0.byteCount }.max() ?? 0
        for length in 0..<end {
            #expect(openError(Array(bytes[0..<length])) != nil, "prefix of \(length) bytes opened")
        }
        // Only the final padding may go: the tensors are all there.
        for length in end...bytes.count {
            #expect(openError(Array(bytes[0..<length])) == nil)
        }
    }

    @Test func truncationInsideAValueSaysWhere() {
        let bytes = header(keys: 1) { w in
            w.string("k")
            w.u32(4)  // uint32, but only two bytes follow
            w.bytes += [1, 2]
        }
        guard case .truncated(_, let what, let offset, let needed)? = openError(bytes) else {
            Issue.record("expected truncated")
            return
        }
        #expect(what.contains("'k'"))
        #expect(offset == 24 + 9 + 4)
        #expect(needed == 4)
    }

    @Test func hugeCountsAreRefusedBeforeAllocating() {
        let manyKeys = header(keys: 1 << 60) { _ in }
        #expect(openError(manyKeys) == .countTooLarge(file: file, what: "the metadata count", count: 1 << 60, limit: 0))
        let manyTensors = header(tensors: 1 << 60, keys: 0) { w in w.bytes += [UInt8](repeating: 0, count: 64) }
        #expect(openError(manyTensors) == .countTooLarge(file: file, what: "the tensor count", count: 1 << 60, limit: 2))
        let manyStrings = header(keys: 1) { w in
            w.string("tokens")
            w.u32(9)
            w.u32(8)
            w.u64(1 << 60)
            w.bytes += [UInt8](repeating: 0, count: 80)
        }
        #expect(openError(manyStrings) == .countTooLarge(file: file, what: "the length of 'tokens'", count: 1 << 60, limit: 10))
        let manyArrays = header(keys: 1) { w in
            w.string("nested")
            w.u32(9)
            w.u32(9)
            w.u64(UInt64.max)
        }
        #expect(openError(manyArrays) == .countTooLarge(file: file, what: "the length of 'nested'", count: UInt64.max, limit: 0))
    }

    @Test func longStrings() {
        let longKey = header(keys: 1) { w in
            w.u64(1 << 40)
            w.bytes += Array("key and more".utf8)
        }
        #expect(openError(longKey) == .stringTooLong(file: file, what: "the length of metadata key 0", length: 1 << 40,
                                                     limit: GGUFLimits.maxKeyLength))
        let pastEnd = header(keys: 1) { w in
            w.string("k")
            w.u32(8)
            w.u64(1000)
            w.bytes += Array("short".utf8)
        }
        guard case .truncated(_, let what, _, let needed)? = openError(pastEnd) else {
            Issue.record("expected truncated")
            return
        }
        #expect(what == "the value of 'k'" && needed == 1000)
        var b = small()
        b.tensors[0].name = String(repeating: "n", count: 5000)
        #expect(openError(b) == .stringTooLong(file: file, what: "the length of the name of tensor 0", length: 5000,
                                               limit: GGUFLimits.maxTensorNameLength))
    }

    @Test func invalidUTF8() {
        let bytes = header(keys: 1) { w in
            w.u64(2)
            w.bytes += [0x61, 0xFF]
            w.u32(0)
            w.bytes.append(0)
        }
        #expect(openError(bytes) == .invalidUTF8(file: file, what: "metadata key 0"))
        let value = header(keys: 1) { w in
            w.string("k")
            w.u32(8)
            w.u64(3)
            w.bytes += [0xE2, 0x82, 0x28]  // a 3-byte sequence broken in its last byte
        }
        #expect(openError(value) == .invalidUTF8(file: file, what: "the value of 'k'"))
    }

    @Test func unknownValueTypes() {
        let scalar = header(keys: 1) { w in
            w.string("k")
            w.u32(13)
            w.u64(0)
        }
        #expect(openError(scalar) == .unknownValueType(file: file, key: "k", rawType: 13))
        let element = header(keys: 1) { w in
            w.string("k")
            w.u32(9)
            w.u32(0xFFFF_FFFF)
            w.u64(1)
            w.u64(0)
        }
        #expect(openError(element) == .unknownValueType(file: file, key: "k", rawType: 0xFFFF_FFFF))
    }

    @Test func invalidBool() {
        let bytes = header(keys: 1) { w in
            w.string("flag")
            w.u32(7)
            w.bytes.append(2)
        }
        #expect(openError(bytes) == .invalidBool(file: file, key: "flag", value: 2))
    }

    @Test func nestingLimit() throws {
        func nested(_ depth: Int) -> GGUFValue {
            depth == 1 ? .array([.uint8(1)]) : .array([nested(depth - 1)])
        }
        var ok = GGUFBuilder()
        ok.add("deep", nested(GGUFLimits.maxNesting))
        #expect(try ByteBox.open(ok.build()).metadata["deep"] == nested(GGUFLimits.maxNesting))
        var tooDeep = GGUFBuilder()
        tooDeep.add("deep", nested(GGUFLimits.maxNesting + 1))
        #expect(openError(tooDeep) == .nestingTooDeep(file: file, key: "deep", limit: GGUFLimits.maxNesting))
    }

    @Test func duplicates() {
        var keys = small()
        keys.add("n", .uint8(1))
        #expect(openError(keys) == .duplicateKey(file: file, key: "n"))
        var tensors = small()
        tensors.addF32("w", [2])
        #expect(openError(tensors) == .duplicateTensor(file: file, name: "w"))
    }

    @Test func alignmentMustBeAPowerOfTwoInRange() throws {
        for bad: GGUFValue in [.uint32(0), .uint32(3), .uint32(48), .uint32(1 << 21), .int32(-32), .string("32"), .float32(32)] {
            var b = small()
            b.add("general.alignment", bad)
            #expect(openError(b) == .invalidAlignment(file: file, value: "\(bad)"))
        }
        var other = small()
        other.alignment = 16
        other.add("general.alignment", .uint64(16))  // not the usual u32: any integer type is accepted
        #expect(try ByteBox.open(other.build()).alignment == 16)
    }

    @Test func dimensions() {
        for dims: [UInt64] in [[], [1, 1, 1, 1, 1], [0], [4, 0], [UInt64.max], [1 << 32, 1 << 32], [1 << 62, 4]] {
            var b = small()
            b.tensors[0].dimensions = dims
            let expected: GGUFError = dims.isEmpty || dims.count > 4
                ? .invalidDimensions(file: file, tensor: "w", dimensions: [])
                : .invalidDimensions(file: file, tensor: "w", dimensions: dims)
            #expect(openError(b) == expected, "\(dims)")
        }
    }

    @Test func unknownTensorTypeNamesTensorAndType() {
        var b = small()
        b.tensors[1].rawType = 16  // IQ2_XXS: a real ggml type Sotto does not know
        let error = openError(b)
        #expect(error == .unknownTensorType(file: file, tensor: "q", rawType: 16))
        #expect(error?.message.contains("'q'") == true && error?.message.contains("16") == true)
    }

    @Test func rowsMustBeWholeBlocks() {
        var b = small()
        b.tensors[1].dimensions = [48, 1]
        #expect(openError(b) == .partialBlock(file: file, tensor: "q", type: .q8_0, rowLength: 48))
    }

    @Test func offsets() {
        var misaligned = small()
        misaligned.tensors[1].offsetOverride = 68
        #expect(openError(misaligned) == .misalignedTensor(file: file, tensor: "q", offset: 68, alignment: 32))
        let size = small().build().count
        for offset: UInt64 in [1 << 40, UInt64.max & ~31, 96] {
            var b = small()
            b.tensors[1].offsetOverride = offset
            #expect(openError(b) == .tensorOutOfBounds(file: file, tensor: "q", offset: offset, byteCount: 34, fileSize: size))
        }
    }

    @Test func overlappingTensorsAreAllowed() throws {
        // ggml does not forbid it and it is harmless for a read-only mapping.
        var b = small()
        b.tensors[1].offsetOverride = 0
        let f = try ByteBox.open(b.build())
        #expect(f.tensor(named: "q")?.offset == f.dataOffset)
    }
}
