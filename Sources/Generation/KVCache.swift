import Foundation

/// Keys and values of every layer for up to `capacity` positions (owned by a `DecoderSession`,
/// which resets and truncates it together with its token list).
///
/// Values are stored as Float but rounded to half precision on the way in: llama.cpp keeps its
/// cache in F16 by default, and matching its rounding keeps greedy output identical. Float storage
/// avoids converting on every read; the memory is reserved with calloc, so only the positions used
/// become resident.
public final class KVCache: @unchecked Sendable {
    /// Positions the cache can hold (the context length).
    public let capacity: Int
    /// Positions filled so far.
    public internal(set) var count: Int = 0
    let layerCount: Int
    let kvHeadCount: Int
    let headDim: Int
    // keys, values: (layers, kvHeads, capacity, headDim) so that one head's rows are contiguous.
    let keys: UnsafeMutablePointer<Float>
    let values: UnsafeMutablePointer<Float>

    /// Bytes the cache reserves for a configuration and context length.
    /// Bytes the cache reserves for a configuration and context length (Int.max when that overflows).
    public static func byteCount(configuration c: DecoderConfiguration, capacity: Int) -> Int {
        elementCount(configuration: c, capacity: capacity).map { $0 * 2 * MemoryLayout<Float>.stride } ?? .max
    }

    /// Floats per tensor (keys or values), nil when the product overflows.
    static func elementCount(configuration c: DecoderConfiguration, capacity: Int) -> Int? {
        var total = 1
        for factor in [c.layerCount, c.kvDim, capacity, 2 * MemoryLayout<Float>.stride] {
            let (product, overflow) = total.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            total = product
        }
        return total / (2 * MemoryLayout<Float>.stride)
    }

    init(configuration c: DecoderConfiguration, capacity: Int) throws(GenerationError) {
        self.capacity = capacity
        layerCount = c.layerCount
        kvHeadCount = c.kvHeadCount
        headDim = c.headDim
        guard let elements = Self.elementCount(configuration: c, capacity: capacity) else {
            throw .outOfMemory(bytes: .max, what: "KV cache")
        }
        guard let k = calloc(elements, MemoryLayout<Float>.stride) else {
            throw .outOfMemory(bytes: Self.byteCount(configuration: c, capacity: capacity), what: "KV cache")
        }
        guard let v = calloc(elements, MemoryLayout<Float>.stride) else {
            free(k)
            throw .outOfMemory(bytes: Self.byteCount(configuration: c, capacity: capacity), what: "KV cache")
        }
        keys = k.bindMemory(to: Float.self, capacity: elements)
        values = v.bindMemory(to: Float.self, capacity: elements)
    }

    deinit {
        free(keys)
        free(values)
    }

    /// Forgets every position (the memory is reused).
    func reset() { count = 0 }

    /// Drops positions from `position` on, keeping the ones before (a shared prompt prefix).
    func truncate(to position: Int) { count = min(count, max(0, position)) }

    /// Row `position` of the keys of one layer's KV head.
    @inline(__always)
    func key(layer: Int, head: Int, position: Int) -> UnsafeMutablePointer<Float> {
        keys + ((layer * kvHeadCount + head) * capacity + position) * headDim
    }

    @inline(__always)
    func value(layer: Int, head: Int, position: Int) -> UnsafeMutablePointer<Float> {
        values + ((layer * kvHeadCount + head) * capacity + position) * headDim
    }
}
