import Foundation
import GGUF
@testable import Generation

/// Writes GGUF v3 files in memory for tests (metadata of the types the decoder reads, F32 tensors or raw bytes).
struct GGUFWriter {
    enum Value {
        case string(String)
        case uint32(UInt32)
        case int32(Int32)
        case float32(Float)
        case bool(Bool)
        case strings([String])
        case int32s([Int32])
    }

    struct Tensor {
        var name: String
        var dimensions: [Int]
        var type: GGMLType
        var bytes: [UInt8]
    }

    var metadata: [(String, Value)] = []
    var tensors: [Tensor] = []

    mutating func set(_ key: String, _ value: Value) {
        metadata.removeAll { $0.0 == key }
        metadata.append((key, value))
    }

    mutating func remove(_ key: String) { metadata.removeAll { $0.0 == key } }

    mutating func add(_ name: String, dimensions: [Int], values: [Float]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        tensors.removeAll { $0.name == name }
        tensors.append(Tensor(name: name, dimensions: dimensions, type: .f32, bytes: bytes))
    }

    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        func string(_ s: String) {
            u64(UInt64(s.utf8.count))
            out += Array(s.utf8)
        }
        out += Array("GGUF".utf8)
        u32(3)
        u64(UInt64(tensors.count))
        u64(UInt64(metadata.count))
        for (key, value) in metadata {
            string(key)
            switch value {
            case .string(let s): u32(8); string(s)
            case .uint32(let v): u32(4); u32(v)
            case .int32(let v): u32(5); u32(UInt32(bitPattern: v))
            case .float32(let v): u32(6); u32(v.bitPattern)
            case .bool(let v): u32(7); out.append(v ? 1 : 0)
            case .strings(let list): u32(9); u32(8); u64(UInt64(list.count)); list.forEach(string)
            case .int32s(let list): u32(9); u32(5); u64(UInt64(list.count)); list.forEach { u32(UInt32(bitPattern: $0)) }
            }
        }
        var offset = 0
        var offsets: [Int] = []
        for t in tensors {
            offsets.append(offset)
            offset += (t.bytes.count + 31) / 32 * 32
        }
        for (t, o) in zip(tensors, offsets) {
            string(t.name)
            u32(UInt32(t.dimensions.count))
            t.dimensions.forEach { u64(UInt64($0)) }
            u32(t.type.rawValue)
            u64(UInt64(o))
        }
        while out.count % 32 != 0 { out.append(0) }
        for t in tensors {
            out += t.bytes
            while out.count % 32 != 0 { out.append(0) }
        }
        return out
    }

    /// Opens the encoded bytes as a GGUFFile (the memory lives as long as the file).
    func file() throws -> GGUFFile {
        let storage = ByteStorage(encoded())
        return try GGUFFile(bytes: UnsafeRawBufferPointer(start: storage.pointer, count: storage.count), owner: storage)
    }
}

final class ByteStorage: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    let count: Int
    init(_ bytes: [UInt8]) {
        count = bytes.count
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 64)
        bytes.withUnsafeBytes { pointer.copyMemory(from: $0.baseAddress!, byteCount: count) }
    }
    deinit { pointer.deallocate() }
}

/// GPT-2's byte → printable character map (the byte-level BPE alphabet).
enum ByteAlphabet {
    static let characters: [String] = {
        var printable = Array(33...126) + Array(161...172) + Array(174...255)
        var mapped = printable
        var extra = 0
        for b in 0..<256 where !printable.contains(b) {
            printable.append(b)
            mapped.append(256 + extra)
            extra += 1
        }
        var table = [String](repeating: "", count: 256)
        for (b, c) in zip(printable, mapped) { table[b] = String(Character(Unicode.Scalar(UInt32(c))!)) }
        return table
    }()
}

/// A tiny random decoder (2 layers, hidden 32) with a byte-level vocabulary of 256 bytes, a few
/// merges and the ChatML markers: enough to drive every code path without a download.
enum TinyModel {
    static let special = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    static var vocabulary: [String] { ByteAlphabet.characters + ["Ġt", "he", "Ġthe"] + special }
    static let merges = ["Ġ t", "h e", "Ġt he"]

    static func writer(architecture: String = "llama", seed: UInt64 = 1, contextLength: UInt32 = 256) -> GGUFWriter {
        var w = GGUFWriter()
        let hidden = 32, heads = 4, kvHeads = 2, ffn = 64, layers = 2
        let headDim = hidden / heads
        let vocab = vocabulary
        let a = architecture
        w.set("general.architecture", .string(a))
        w.set("\(a).block_count", .uint32(UInt32(layers)))
        w.set("\(a).embedding_length", .uint32(UInt32(hidden)))
        w.set("\(a).feed_forward_length", .uint32(UInt32(ffn)))
        w.set("\(a).attention.head_count", .uint32(UInt32(heads)))
        w.set("\(a).attention.head_count_kv", .uint32(UInt32(kvHeads)))
        w.set("\(a).rope.freq_base", .float32(10_000))
        w.set("\(a).attention.layer_norm_rms_epsilon", .float32(1e-6))
        w.set("\(a).context_length", .uint32(contextLength))
        w.set("tokenizer.ggml.model", .string("gpt2"))
        w.set("tokenizer.ggml.pre", .string(a == "qwen2" ? "qwen2" : "smollm"))
        w.set("tokenizer.ggml.tokens", .strings(vocab))
        w.set("tokenizer.ggml.token_type", .int32s(vocab.map { special.contains($0) ? 3 : 1 }))
        w.set("tokenizer.ggml.merges", .strings(merges))
        w.set("tokenizer.ggml.eos_token_id", .uint32(UInt32(vocab.count - 1)))
        w.set("tokenizer.chat_template", .string("{% for m in messages %}{{'<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n'}}{% endfor %}"))

        var random = SeededRandom(seed: seed)
        func values(_ count: Int, scale: Float = 0.3) -> [Float] {
            (0..<count).map { _ in Float(random.nextUnit() * 2 - 1) * scale }
        }
        w.add("token_embd.weight", dimensions: [hidden, vocab.count], values: values(hidden * vocab.count, scale: 1))
        for l in 0..<layers {
            w.add("blk.\(l).attn_norm.weight", dimensions: [hidden], values: values(hidden).map { 1 + $0 })
            w.add("blk.\(l).attn_q.weight", dimensions: [hidden, hidden], values: values(hidden * hidden))
            w.add("blk.\(l).attn_k.weight", dimensions: [hidden, kvHeads * headDim], values: values(hidden * kvHeads * headDim))
            w.add("blk.\(l).attn_v.weight", dimensions: [hidden, kvHeads * headDim], values: values(hidden * kvHeads * headDim))
            if a == "qwen2" {
                w.add("blk.\(l).attn_q.bias", dimensions: [hidden], values: values(hidden))
                w.add("blk.\(l).attn_k.bias", dimensions: [kvHeads * headDim], values: values(kvHeads * headDim))
                w.add("blk.\(l).attn_v.bias", dimensions: [kvHeads * headDim], values: values(kvHeads * headDim))
            }
            w.add("blk.\(l).attn_output.weight", dimensions: [hidden, hidden], values: values(hidden * hidden))
            w.add("blk.\(l).ffn_norm.weight", dimensions: [hidden], values: values(hidden).map { 1 + $0 })
            w.add("blk.\(l).ffn_gate.weight", dimensions: [hidden, ffn], values: values(hidden * ffn))
            w.add("blk.\(l).ffn_up.weight", dimensions: [hidden, ffn], values: values(hidden * ffn))
            w.add("blk.\(l).ffn_down.weight", dimensions: [ffn, hidden], values: values(hidden * ffn))
        }
        w.add("output_norm.weight", dimensions: [hidden], values: values(hidden).map { 1 + $0 })
        return w
    }

    static func model(architecture: String = "llama") throws -> DecoderModel {
        try DecoderModel(file: writer(architecture: architecture).file(), name: "tiny-\(architecture).gguf")
    }
}

/// Where the committed fixtures are (the downloaded models: TestSupport's `TestModels`).
enum TestFiles {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func fixture(_ name: String) -> URL? {
        let url = fixtures.appendingPathComponent(name)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }
}
