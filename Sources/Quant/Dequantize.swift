public import GGUF

/// Plain reference dequantizers: the specification of each ggml block format, written for clarity,
/// not speed. The fast C kernels are tested against these.
public enum Dequantize {
    /// The first `count` values stored in `bytes` as `type` (F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q8_0,
    /// Q4_K, Q6_K). `count` must be a whole number of blocks and `bytes` must hold them.
    public static func reference(type: GGMLType, bytes: UnsafeRawBufferPointer, count: Int) throws(QuantError) -> [Float] {
        switch type {
        case .f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q8_0, .q4_K, .q6_K: break
        default: throw .unsupportedType(type)
        }
        guard count >= 0, let needed = type.byteCount(elements: count) else {
            throw .invalidShape(type: type, rows: 1, columns: count)
        }
        guard bytes.count >= needed else { throw .dataTooShort(needed: needed, available: bytes.count) }
        var out = [Float](repeating: 0, count: count)
        let reader = BlockReader(bytes: bytes)
        for block in 0..<(count / type.blockSize) {
            let base = block * type.blockBytes
            let first = block * type.blockSize
            switch type {
            case .f32: out[first] = Float(bitPattern: reader.u32(base))
            case .f16: out[first] = reader.f16(base)
            case .bf16: out[first] = Float(bitPattern: UInt32(reader.u16(base)) << 16)
            case .q4_0: q4_0(reader, base, &out, first)
            case .q4_1: q4_1(reader, base, &out, first)
            case .q5_0: q5_0(reader, base, &out, first)
            case .q8_0: q8_0(reader, base, &out, first)
            case .q4_K: q4_K(reader, base, &out, first)
            case .q6_K: q6_K(reader, base, &out, first)
            default: break
            }
        }
        return out
    }

    // Q4_0 (18 bytes): f16 d, 16 bytes of nibbles. Value j < 16 is the low nibble of byte j, value
    // j + 16 its high nibble; x = (q - 8)·d.
    private static func q4_0(_ r: BlockReader, _ b: Int, _ out: inout [Float], _ o: Int) {
        let d = r.f16(b)
        for j in 0..<16 {
            let q = r.u8(b + 2 + j)
            out[o + j] = Float(Int(q & 0x0F) - 8) * d
            out[o + j + 16] = Float(Int(q >> 4) - 8) * d
        }
    }

    // Q4_1 (20 bytes): f16 d, f16 m, 16 bytes of nibbles (as Q4_0); x = q·d + m.
    private static func q4_1(_ r: BlockReader, _ b: Int, _ out: inout [Float], _ o: Int) {
        let d = r.f16(b), m = r.f16(b + 2)
        for j in 0..<16 {
            let q = r.u8(b + 4 + j)
            out[o + j] = Float(q & 0x0F) * d + m
            out[o + j + 16] = Float(q >> 4) * d + m
        }
    }

    // Q5_0 (22 bytes): f16 d, 32 fifth bits (little-endian UInt32, bit j for value j), 16 bytes of
    // nibbles (as Q4_0); x = ((nibble | bit << 4) - 16)·d.
    private static func q5_0(_ r: BlockReader, _ b: Int, _ out: inout [Float], _ o: Int) {
        let d = r.f16(b)
        let high = r.u32(b + 2)
        for j in 0..<16 {
            let q = r.u8(b + 6 + j)
            let lo = Int(q & 0x0F) | Int((high >> UInt32(j)) & 1) << 4
            let hi = Int(q >> 4) | Int((high >> UInt32(j + 16)) & 1) << 4
            out[o + j] = Float(lo - 16) * d
            out[o + j + 16] = Float(hi - 16) * d
        }
    }

    // Q8_0 (34 bytes): f16 d, 32 signed bytes; x = q·d.
    private static func q8_0(_ r: BlockReader, _ b: Int, _ out: inout [Float], _ o: Int) {
        let d = r.f16(b)
        for j in 0..<32 { out[o + j] = Float(r.i8(b + 2 + j)) * d }
    }

    // Q4_K (144 bytes, 256 values): f16 d, f16 dmin, 12 bytes packing eight 6-bit scales and eight
    // 6-bit minimums, 128 bytes of nibbles. Sub-block s (32 values) is x = d·scale[s]·q - dmin·min[s];
    // sub-blocks 2k and 2k+1 are the low and high nibbles of bytes 32k..<32k+32.
    private static func q4_K(_ r: BlockReader, _ b: Int, _ out: inout [Float], _ o: Int) {
        let d = r.f16(b), dmin = r.f16(b + 2)
        let packed = (0..<12).map { r.u8(b + 4 + $0) }
        for s in 0..<8 {
            let scale: UInt8, minimum: UInt8
            if s < 4 {
                scale = packed[s] & 63
                minimum = packed[s + 4] & 63
            } else {
                scale = (packed[s + 4] & 0x0F) | (packed[s - 4] >> 6) << 4
                minimum = (packed[s + 4] >> 4) | (packed[s] >> 6) << 4
            }
            let ds = d * Float(scale), dm = dmin * Float(minimum)
            for l in 0..<32 {
                let byte = r.u8(b + 16 + 32 * (s / 2) + l)
                let q = s % 2 == 0 ? byte & 0x0F : byte >> 4
                out[o + 32 * s + l] = ds * Float(q) - dm
            }
        }
    }

    // Q6_K (210 bytes, 256 values): 128 bytes of low nibbles (ql), 64 bytes of 2-bit high parts (qh),
    // 16 signed 8-bit scales (one per 16 values), f16 d. In each half of 128 values, value l + 32·k
    // (l < 32, k < 4) takes its low 4 bits from ql[l + 32·(k % 2)] (low nibble for k < 2, else high)
    // and its high 2 bits from bits 2k, 2k+1 of qh[l]; x = d·scale·(q - 32).
    private static func q6_K(_ r: BlockReader, _ b: Int, _ out: inout [Float], _ o: Int) {
        let d = r.f16(b + 208)
        for half in 0..<2 {
            for k in 0..<4 {
                for l in 0..<32 {
                    let lowByte = r.u8(b + 64 * half + l + 32 * (k % 2))
                    let low = k < 2 ? lowByte & 0x0F : lowByte >> 4
                    let high = (r.u8(b + 128 + 32 * half + l) >> UInt8(2 * k)) & 3
                    let q = Int(low | high << 4) - 32
                    let index = 128 * half + 32 * k + l
                    let scale = Float(r.i8(b + 192 + index / 16))
                    out[o + index] = d * scale * Float(q)
                }
            }
        }
    }
}

/// Little-endian field reads from a block buffer (bounds checked by the caller's size check).
private struct BlockReader {
    let bytes: UnsafeRawBufferPointer
    func u8(_ i: Int) -> UInt8 { bytes[i] }
    func i8(_ i: Int) -> Int8 { Int8(bitPattern: bytes[i]) }
    func u16(_ i: Int) -> UInt16 { UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8 }
    func u32(_ i: Int) -> UInt32 { UInt32(u16(i)) | UInt32(u16(i + 2)) << 16 }
    func f16(_ i: Int) -> Float { Float(Float16(bitPattern: u16(i))) }
}
