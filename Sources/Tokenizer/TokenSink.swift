/// Where the tokenizer's pipeline delivers ids; generic so that counting allocates nothing.
protocol TokenSink {
    /// True once no more ids are wanted; the pipeline then stops early.
    var isFull: Bool { get }
    mutating func append(_ id: Int32)
}

/// Appends ids until `ids` holds `limit` of them.
struct TokenCollector: TokenSink {
    var ids: [Int32] = []
    var limit: Int

    var isFull: Bool { ids.count >= limit }

    mutating func append(_ id: Int32) {
        if ids.count < limit { ids.append(id) }
    }
}

/// Counts ids.
struct TokenCounter: TokenSink {
    var count = 0

    var isFull: Bool { false }

    mutating func append(_ id: Int32) {
        count += 1
    }
}
