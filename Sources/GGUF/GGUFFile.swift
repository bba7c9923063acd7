public import Foundation

/// An opened GGUF file: its metadata and tensor table, with the tensor bytes read in place.
///
/// Opening checks the whole header against the file size, so every `GGUFTensorInfo` it hands out
/// lies inside the bytes and `data(of:)` needs no further checks. Opening maps the file read-only
/// (`init(contentsOf:)`); the mapping lives as long as this object.
public final class GGUFFile: Sendable {
    public let version: UInt32
    /// All key/value pairs (`general.architecture`, `qwen2.block_count`, `tokenizer.ggml.tokens`, ...).
    public let metadata: [String: GGUFValue]
    /// The keys of `metadata` in file order.
    public let metadataKeys: [String]
    /// The tensor table in file order.
    public let tensors: [GGUFTensorInfo]
    /// Alignment of tensor data (`general.alignment`, 32 when absent).
    public let alignment: Int
    /// Absolute byte offset where the data section (the first tensor) starts.
    public let dataOffset: Int
    /// The file's path, or `<memory>`; used in error messages.
    public let source: String

    private let storage: Storage
    private let index: [String: Int]

    /// Keeps the bytes (and whatever owns them) alive; read only, never written.
    private struct Storage: @unchecked Sendable {
        let bytes: UnsafeRawBufferPointer
        let owner: AnyObject?
    }

    /// Maps the file read-only and checks its header, metadata and tensor table.
    public convenience init(contentsOf url: URL) throws(GGUFError) {
        let path = url.path
        let mapped = try MappedFile(path: path)
        try self.init(bytes: mapped.bytes, owner: mapped, source: path)
    }

    /// Reads a GGUF image already in memory, without copying. The bytes must stay valid and
    /// unchanged while `owner` (kept by this object) is alive.
    public convenience init(bytes: UnsafeRawBufferPointer, owner: AnyObject?) throws(GGUFError) {
        try self.init(bytes: bytes, owner: owner, source: "<memory>")
    }

    init(bytes: UnsafeRawBufferPointer, owner: AnyObject?, source: String) throws(GGUFError) {
        var parser = GGUFParser(bytes: bytes, file: source)
        let result = try parser.parse()
        version = result.version
        metadata = result.metadata
        metadataKeys = result.metadataKeys
        tensors = result.tensors
        alignment = result.alignment
        dataOffset = result.dataOffset
        self.source = source
        storage = Storage(bytes: bytes, owner: owner)
        var index: [String: Int] = [:]
        index.reserveCapacity(result.tensors.count)
        for (i, tensor) in result.tensors.enumerated() { index[tensor.name] = i }
        self.index = index
    }

    /// Size of the whole file in bytes.
    public var byteCount: Int { storage.bytes.count }

    /// The tensor called `name` (`blk.0.attn_q.weight`), or nil.
    public func tensor(named name: String) -> GGUFTensorInfo? {
        index[name].map { tensors[$0] }
    }

    /// The bytes of a tensor of this file, in place (no copy). Valid while this object is alive.
    public func data(of tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        // Only a tensor info from another file could fail this: a programming error, not bad input.
        precondition(tensor.offset >= 0 && tensor.byteCount >= 0 && tensor.offset <= storage.bytes.count - tensor.byteCount,
                     "GGUFFile.data(of:): tensor '\(tensor.name)' does not belong to \(source)")
        return UnsafeRawBufferPointer(rebasing: storage.bytes[tensor.offset..<tensor.offset + tensor.byteCount])
    }
}
