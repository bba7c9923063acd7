/// Where a tensor's bytes are and how to read them. Every field was checked against the file at open.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// ggml order: `dimensions[0]` is the row length (columns), `dimensions[1]` the number of rows.
    public let dimensions: [Int]
    public let type: GGMLType
    /// Absolute byte offset of the first byte in the file.
    public let offset: Int
    /// Bytes the tensor takes (`type.byteCount(elements: elementCount)`).
    public let byteCount: Int

    /// Values in the tensor (the product of the dimensions; checked not to overflow at open).
    public var elementCount: Int { dimensions.reduce(1, *) }

    init(name: String, dimensions: [Int], type: GGMLType, offset: Int, byteCount: Int) {
        self.name = name
        self.dimensions = dimensions
        self.type = type
        self.offset = offset
        self.byteCount = byteCount
    }
}
