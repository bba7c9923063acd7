/// Why a GGUF file could not be opened. Every case names the file (`"<memory>"` for bytes in memory).
public enum GGUFError: Error, Sendable, Equatable {
    /// The file could not be opened, sized or mapped; `reason` is the system's explanation.
    case unreadable(file: String, reason: String)
    /// The first four bytes are not `GGUF`.
    case notGGUF(file: String)
    /// A GGUF version this reader does not handle (it reads versions 2 and 3, little-endian).
    case unsupportedVersion(file: String, version: UInt32)
    /// The file ends inside `what`, which starts at byte `offset` and needs `needed` bytes.
    case truncated(file: String, what: String, offset: Int, needed: UInt64)
    /// A count (of keys, tensors or array elements) larger than the rest of the file could hold.
    case countTooLarge(file: String, what: String, count: UInt64, limit: UInt64)
    /// A string longer than allowed for its role, or than the rest of the file.
    case stringTooLong(file: String, what: String, length: UInt64, limit: UInt64)
    /// A key, name or string value that is not valid UTF-8.
    case invalidUTF8(file: String, what: String)
    /// A metadata value type number GGUF does not define.
    case unknownValueType(file: String, key: String, rawType: UInt32)
    /// A boolean stored as something other than 0 or 1.
    case invalidBool(file: String, key: String, value: UInt8)
    /// Arrays nested deeper than the reader allows.
    case nestingTooDeep(file: String, key: String, limit: Int)
    /// The same metadata key appears twice.
    case duplicateKey(file: String, key: String)
    /// The same tensor name appears twice.
    case duplicateTensor(file: String, name: String)
    /// `general.alignment` is not a power of two in the allowed range, or not an integer.
    case invalidAlignment(file: String, value: String)
    /// A tensor with no dimensions, more than four, a dimension below 1, or an element count that overflows.
    case invalidDimensions(file: String, tensor: String, dimensions: [UInt64])
    /// A tensor element type number this reader does not know.
    case unknownTensorType(file: String, tensor: String, rawType: UInt32)
    /// A tensor whose rows (first dimension) are not a whole number of its type's blocks.
    case partialBlock(file: String, tensor: String, type: GGMLType, rowLength: Int)
    /// A tensor offset that is not a multiple of the file's alignment.
    case misalignedTensor(file: String, tensor: String, offset: UInt64, alignment: Int)
    /// A tensor whose bytes do not lie inside the file.
    case tensorOutOfBounds(file: String, tensor: String, offset: UInt64, byteCount: Int, fileSize: Int)

    /// What went wrong, in words, with what to do about it.
    public var message: String {
        switch self {
        case .unreadable(let file, let reason):
            "cannot read GGUF file \(file): \(reason)"
        case .notGGUF(let file):
            "\(file) is not a GGUF file (it does not start with the bytes 'GGUF'); pass a .gguf model file"
        case .unsupportedVersion(let file, let version):
            if version == 0x0200_0000 || version == 0x0300_0000 {
                "\(file) is a big-endian GGUF file, which is not supported; use the little-endian release of the model"
            } else {
                "\(file) has GGUF version \(version); only versions 2 and 3 are supported (re-convert the model with a current llama.cpp)"
            }
        case .truncated(let file, let what, let offset, let needed):
            "\(file) is truncated or corrupt: \(what) at byte \(offset) needs \(needed) bytes, past the end of the file; download it again"
        case .countTooLarge(let file, let what, let count, let limit):
            "\(file) is corrupt: \(what) is \(count), more than the \(limit) the file can hold"
        case .stringTooLong(let file, let what, let length, let limit):
            "\(file) is corrupt: \(what) is \(length) bytes long, more than the limit of \(limit)"
        case .invalidUTF8(let file, let what):
            "\(file) is corrupt: \(what) is not valid UTF-8"
        case .unknownValueType(let file, let key, let rawType):
            "\(file) is corrupt or too new: metadata key '\(key)' has unknown value type \(rawType)"
        case .invalidBool(let file, let key, let value):
            "\(file) is corrupt: metadata key '\(key)' holds a boolean byte \(value) (must be 0 or 1)"
        case .nestingTooDeep(let file, let key, let limit):
            "\(file) is corrupt: metadata key '\(key)' nests arrays deeper than \(limit) levels"
        case .duplicateKey(let file, let key):
            "\(file) is corrupt: metadata key '\(key)' appears more than once"
        case .duplicateTensor(let file, let name):
            "\(file) is corrupt: tensor '\(name)' appears more than once"
        case .invalidAlignment(let file, let value):
            "\(file) is corrupt: general.alignment is \(value); it must be a power of two from 1 to \(GGUFLimits.maxAlignment)"
        case .invalidDimensions(let file, let tensor, let dimensions):
            "\(file) is corrupt: tensor '\(tensor)' has dimensions \(dimensions) (1 to 4 dimensions, each at least 1, element count must fit in memory)"
        case .unknownTensorType(let file, let tensor, let rawType):
            "\(file): tensor '\(tensor)' has ggml type \(rawType), which Sotto does not know; use a model quantized as F32, F16, Q4_0, Q4_1, Q5_0, Q8_0, Q4_K or Q6_K"
        case .partialBlock(let file, let tensor, let type, let rowLength):
            "\(file) is corrupt: tensor '\(tensor)' of type \(type) has rows of \(rowLength) values, not a multiple of its block size \(type.blockSize)"
        case .misalignedTensor(let file, let tensor, let offset, let alignment):
            "\(file) is corrupt: tensor '\(tensor)' starts at data offset \(offset), not a multiple of the alignment \(alignment)"
        case .tensorOutOfBounds(let file, let tensor, let offset, let byteCount, let fileSize):
            "\(file) is truncated or corrupt: tensor '\(tensor)' (\(byteCount) bytes at data offset \(offset)) extends past the end of the file (\(fileSize) bytes); download it again"
        }
    }
}
