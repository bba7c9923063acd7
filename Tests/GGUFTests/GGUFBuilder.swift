import GGUF

/// Writes GGUF images in memory for tests: the same layout as llama.cpp's and gguf-py's writers,
/// with knobs to write things a correct writer never would (wrong counts, misaligned offsets).
struct GGUFBuilder {
    struct Tensor {
        var name: String
        var dimensions: [UInt64]
        var rawType: UInt32
        var data: [UInt8]
        /// Written instead of the computed offset when set.
        var offsetOverride: UInt64? = nil
    }

    var version: UInt32 = 3
    var metadata: [(key: String, value: GGUFValue)] = []
    var tensors: [Tensor] = []
    /// Layout alignment; also written as `general.alignment` when `writesAlignment`.
    var alignment = 32
    var writesAlignment = false
    var tensorCountOverride: UInt64? = nil
    var metadataCountOverride: UInt64? = nil

    mutating func add(_ key: String, _ value: GGUFValue) { metadata.append((key, value)) }

    /// Adds an F32 tensor with the values 0, 1, 2, ... (so data can be checked).
    mutating func addF32(_ name: String, _ dimensions: [Int]) {
        let count = dimensions.reduce(1, *)
        var data: [UInt8] = []
        for i in 0..<count { data.append(contentsOf: withUnsafeBytes(of: Float(i).bitPattern.littleEndian, Array.init)) }
        tensors.append(Tensor(name: name, dimensions: dimensions.map(UInt64.init), rawType: GGMLType.f32.rawValue, data: data))
    }

    /// Adds a tensor of any type with `blocks` blocks of bytes 0, 1, 2, ... (mod 251).
    mutating func addRaw(_ name: String, _ type: GGMLType, _ dimensions: [Int]) {
        let count = dimensions.reduce(1, *)
        let bytes = type.byteCount(elements: count) ?? 0
        tensors.append(Tensor(name: name, dimensions: dimensions.map(UInt64.init), rawType: type.rawValue,
                              data: (0..<bytes).map { UInt8($0 % 251) }))
    }

    func build() -> [UInt8] {
        var w = ByteWriter()
        w.bytes += Array("GGUF".utf8)
        w.u32(version)
        w.u64(tensorCountOverride ?? UInt64(tensors.count))
        let entries = writesAlignment ? metadata + [("general.alignment", .uint32(UInt32(alignment)))] : metadata
        w.u64(metadataCountOverride ?? UInt64(entries.count))
        for (key, value) in entries {
            w.string(key)
            w.typedValue(value)
        }
        var offset = 0
        var offsets: [Int] = []
        for t in tensors {
            offsets.append(offset)
            offset = (offset + t.data.count + alignment - 1) / alignment * alignment
        }
        for (t, o) in zip(tensors, offsets) {
            w.string(t.name)
            w.u32(UInt32(t.dimensions.count))
            for d in t.dimensions { w.u64(d) }
            w.u32(t.rawType)
            w.u64(t.offsetOverride ?? UInt64(o))
        }
        w.pad(to: alignment)
        for t in tensors {
            w.bytes += t.data
            w.pad(to: alignment)
        }
        return w.bytes
    }
}

/// Little-endian GGUF primitives.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u32(_ v: UInt32) { bytes += withUnsafeBytes(of: v.littleEndian, Array.init) }
    mutating func u64(_ v: UInt64) { bytes += withUnsafeBytes(of: v.littleEndian, Array.init) }
    mutating func string(_ s: String) {
        u64(UInt64(s.utf8.count))
        bytes += Array(s.utf8)
    }
    mutating func pad(to alignment: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }

    static func typeNumber(_ value: GGUFValue) -> UInt32 {
        switch value {
        case .uint8: 0
        case .int8: 1
        case .uint16: 2
        case .int16: 3
        case .uint32: 4
        case .int32: 5
        case .float32: 6
        case .bool: 7
        case .string: 8
        case .array: 9
        case .uint64: 10
        case .int64: 11
        case .float64: 12
        }
    }

    mutating func typedValue(_ value: GGUFValue) {
        u32(Self.typeNumber(value))
        self.value(value)
    }

    mutating func value(_ value: GGUFValue) {
        switch value {
        case .uint8(let v): bytes.append(v)
        case .int8(let v): bytes.append(UInt8(bitPattern: v))
        case .uint16(let v): bytes += withUnsafeBytes(of: v.littleEndian, Array.init)
        case .int16(let v): bytes += withUnsafeBytes(of: v.littleEndian, Array.init)
        case .uint32(let v): u32(v)
        case .int32(let v): u32(UInt32(bitPattern: v))
        case .uint64(let v): u64(v)
        case .int64(let v): u64(UInt64(bitPattern: v))
        case .float32(let v): u32(v.bitPattern)
        case .float64(let v): u64(v.bitPattern)
        case .bool(let v): bytes.append(v ? 1 : 0)
        case .string(let s): string(s)
        case .array(let elements):
            u32(elements.first.map(Self.typeNumber) ?? 0)
            u64(UInt64(elements.count))
            for e in elements { self.value(e) }
        }
    }
}

/// Owns a copy of test bytes for `GGUFFile(bytes:owner:)`, freed when the file is.
final class ByteBox {
    let buffer: UnsafeMutableRawBufferPointer
    let count: Int

    init(_ bytes: [UInt8]) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 64)
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        self.buffer = buffer
        count = bytes.count
    }

    deinit { buffer.deallocate() }

    static func open(_ bytes: [UInt8]) throws(GGUFError) -> GGUFFile {
        let box = ByteBox(bytes)
        return try GGUFFile(bytes: UnsafeRawBufferPointer(rebasing: box.buffer[0..<box.count]), owner: box)
    }
}
