/// Typed reads of metadata: each returns nil when the key is absent or holds another type.
extension GGUFFile {
    public func string(_ key: String) -> String? {
        metadata[key]?.stringValue
    }

    /// An integer of any width, when it fits in `Int`.
    public func integer(_ key: String) -> Int? {
        metadata[key]?.integerValue
    }

    /// A float32/float64, or an integer, as a `Double`.
    public func float(_ key: String) -> Double? {
        metadata[key]?.floatValue
    }

    public func bool(_ key: String) -> Bool? {
        if case .bool(let value)? = metadata[key] { value } else { nil }
    }

    /// An array of strings (`tokenizer.ggml.tokens`, `tokenizer.ggml.merges`).
    public func strings(_ key: String) -> [String]? {
        guard case .array(let values)? = metadata[key] else { return nil }
        var result: [String] = []
        result.reserveCapacity(values.count)
        for value in values {
            guard case .string(let s) = value else { return nil }
            result.append(s)
        }
        return result
    }

    /// An array of integers of any width (`tokenizer.ggml.token_type`).
    public func integers(_ key: String) -> [Int]? {
        guard case .array(let values)? = metadata[key] else { return nil }
        var result: [Int] = []
        result.reserveCapacity(values.count)
        for value in values {
            guard let i = value.integerValue else { return nil }
            result.append(i)
        }
        return result
    }

    /// An array of floats or integers, as `Float` (`tokenizer.ggml.scores`).
    public func floats(_ key: String) -> [Float]? {
        guard case .array(let values)? = metadata[key] else { return nil }
        var result: [Float] = []
        result.reserveCapacity(values.count)
        for value in values {
            guard let f = value.floatValue else { return nil }
            result.append(Float(f))
        }
        return result
    }
}
