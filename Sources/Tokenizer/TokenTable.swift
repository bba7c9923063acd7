/// A map from token text to id, looked up by a slice of a scalar buffer without allocating.
///
/// Keys are compared scalar by scalar, which is byte equality of their UTF-8 as in the reference; a
/// `Dictionary<String, Int32>` would compare by canonical equivalence and, for example, find a
/// precomposed Hangul syllable for its jamo.
struct TokenTable: Sendable {
    /// All keys back to back.
    private var keys: [Unicode.Scalar] = []
    /// Entry i's key is keys[keyStarts[i]..<keyStarts[i + 1]].
    private var keyStarts: [Int] = [0]
    private var ids: [Int32] = []
    /// Open addressing, linear probing, at most half full; each slot holds entry index + 1, or 0.
    private var slots: [Int32]
    private var mask: Int
    /// The longest key, in scalars: longer candidates need no lookup.
    private(set) var longestKey = 0

    init(expectedCount: Int) {
        var capacity = 16
        while capacity < expectedCount * 2 { capacity *= 2 }
        slots = Array(repeating: 0, count: capacity)
        mask = capacity - 1
    }

    var count: Int { ids.count }

    /// Adds `key`, or gives an existing key the new id (a later duplicate wins, as in the reference).
    mutating func insert(_ key: some Collection<Unicode.Scalar>, id: Int32) {
        if (ids.count + 1) * 2 > slots.count { grow() }
        var slot = Self.hash(key) & mask
        while slots[slot] != 0 {
            let entry = Int(slots[slot] - 1)
            if keys[keyStarts[entry]..<keyStarts[entry + 1]].elementsEqual(key) {
                ids[entry] = id
                return
            }
            slot = (slot + 1) & mask
        }
        keys.append(contentsOf: key)
        keyStarts.append(keys.count)
        ids.append(id)
        slots[slot] = Int32(ids.count)
        longestKey = max(longestKey, key.count)
    }

    func id(for key: UnsafeBufferPointer<Unicode.Scalar>) -> Int32? {
        var slot = Self.hash(key) & mask
        while true {
            let occupant = Int(slots[slot])
            if occupant == 0 { return nil }
            let start = keyStarts[occupant - 1]
            if keyStarts[occupant] - start == key.count, matches(key, at: start) {
                return ids[occupant - 1]
            }
            slot = (slot + 1) & mask
        }
    }

    func id(for token: String) -> Int32? {
        Array(token.unicodeScalars).withUnsafeBufferPointer { id(for: $0) }
    }

    private func matches(_ key: UnsafeBufferPointer<Unicode.Scalar>, at start: Int) -> Bool {
        keys.withUnsafeBufferPointer { stored in
            for offset in 0..<key.count where stored[start + offset] != key[offset] {
                return false
            }
            return true
        }
    }

    private mutating func grow() {
        let capacity = slots.count * 2
        slots = Array(repeating: 0, count: capacity)
        mask = capacity - 1
        for entry in ids.indices {
            var slot = Self.hash(keys[keyStarts[entry]..<keyStarts[entry + 1]]) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(entry + 1)
        }
    }

    /// FNV-1a over the scalar values: keys are short, so a simple loop is fast enough.
    private static func hash(_ key: some Sequence<Unicode.Scalar>) -> Int {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for scalar in key {
            hash = (hash ^ UInt64(scalar.value)) &* 0x100_0000_01B3
        }
        return Int(truncatingIfNeeded: hash ^ (hash >> 29))
    }
}
