/// A binary min-heap of candidate merges, ordered by rank and then by position (leftmost first),
/// the order in which byte-level BPE applies them.
struct PairQueue {
    struct Pair {
        let rank: Int32
        let left: Int32
        let right: Int32
        let leftSymbol: Int32
        let rightSymbol: Int32
        let result: Int32

        var order: UInt64 { UInt64(UInt32(rank)) << 32 | UInt64(UInt32(left)) }
    }

    private var heap: [Pair] = []

    var isEmpty: Bool { heap.isEmpty }

    mutating func removeAll() {
        heap.removeAll(keepingCapacity: true)
    }

    mutating func insert(_ pair: Pair) {
        heap.append(pair)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].order < heap[parent].order else {
                break
            }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popMin() -> Pair? {
        guard let top = heap.first else {
            return nil
        }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < heap.count else {
                    break
                }
                let right = left + 1
                let child = right < heap.count && heap[right].order < heap[left].order ? right : left
                guard heap[child].order < heap[parent].order else {
                    break
                }
                heap.swapAt(child, parent)
                parent = child
            }
        }
        return top
    }
}
