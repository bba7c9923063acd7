public import GGUF

/// What went wrong when wrapping or reading quantized weights.
public enum QuantError: Error, Sendable, Equatable {
    /// The decoder has no kernels for this tensor type.
    case unsupportedType(GGMLType)
    /// Negative sizes, or a row length that is not a whole number of the type's blocks.
    case invalidShape(type: GGMLType, rows: Int, columns: Int)
    /// The bytes given are fewer than the shape needs.
    case dataTooShort(needed: Int, available: Int)
    /// A kernel could not allocate its working memory (only very wide rows need any).
    case outOfMemory(what: String)

    /// A sentence saying what failed and what to do about it.
    public var message: String {
        switch self {
        case .unsupportedType(let type):
            "weights of type \(type) are not supported (supported: F32, F16, Q4_0, Q4_1, Q5_0, Q8_0, Q4_K, Q6_K); use a model file quantized to one of those"
        case .invalidShape(let type, let rows, let columns):
            "a \(rows)×\(columns) \(type) matrix is not valid: sizes must be non-negative and each row a whole number of \(type.blockSize)-value blocks; the model file is malformed"
        case .dataTooShort(let needed, let available):
            "the tensor needs \(needed) bytes but only \(available) are available; the model file is truncated or malformed"
        case .outOfMemory(let what):
            "out of memory for \(what); close other programs or use a smaller model"
        }
    }
}
