/// Bounds the reader puts on an untrusted file, beyond "fits in the file", so that a hostile header
/// cannot make it allocate far more memory than the file's size or recurse without end.
enum GGUFLimits {
    /// Metadata keys are short dotted names (`qwen2.block_count`).
    static let maxKeyLength: UInt64 = 65_536
    /// Tensor names are short too (ggml keeps 64 bytes).
    static let maxTensorNameLength: UInt64 = 4_096
    /// String values: the longest in real files are chat templates of some tens of KB.
    static let maxStringLength: UInt64 = 64 << 20
    /// Elements in one metadata array: vocabularies and merge lists reach a few hundred thousand.
    static let maxArrayCount: UInt64 = 1 << 23
    static let maxKeys: UInt64 = 1 << 20
    static let maxTensors: UInt64 = 1 << 20
    /// Metadata values over the whole file, so that nested arrays cannot multiply the above.
    static let maxTotalValues = 1 << 24
    /// Arrays of arrays are allowed by the format; real files do not nest at all.
    static let maxNesting = 8
    static let maxDimensions = 4
    static let maxAlignment = 1 << 20
    static let defaultAlignment = 32
}
