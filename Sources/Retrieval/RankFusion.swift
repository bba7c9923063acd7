/// Combines ranked lists into one.
public enum RankFusion {
    /// Reciprocal-rank fusion (Cormack et al., 2009): each list gives an item 1 / (k + rank), rank
    /// counted from 1; items are ordered by the sum. Ties keep the order of first appearance.
    public static func reciprocalRank(_ lists: [[Int64]], k: Double = 60) -> [(id: Int64, score: Double)] {
        var scores: [Int64: Double] = [:]
        var firstSeen: [Int64: Int] = [:]
        var order = 0
        for list in lists {
            for (rank, id) in list.enumerated() {
                scores[id, default: 0] += 1 / (k + Double(rank + 1))
                if firstSeen[id] == nil {
                    firstSeen[id] = order
                    order += 1
                }
            }
        }
        return scores.map { (id: $0.key, score: $0.value) }.sorted {
            $0.score != $1.score ? $0.score > $1.score : firstSeen[$0.id, default: 0] < firstSeen[$1.id, default: 0]
        }
    }
}

extension RankFusion {
    /// Convex combination of scores (Bruch et al., 2023): α × BM25 / (the query's best BM25) +
    /// (1 − α) × cosine. A candidate BM25 did not return scores 0 there. Ties keep the order of the
    /// lexical list, then the dense one.
    public static func convex(
        lexical: [(id: Int64, score: Double)], dense: [Int64: Double], alpha: Double
    ) -> [(id: Int64, score: Double)] {
        let best = lexical.map(\.score).max() ?? 0
        var order: [Int64] = lexical.map(\.id)
        var seen = Set(order)
        for id in dense.keys.sorted(by: { dense[$0, default: 0] > dense[$1, default: 0] }) where !seen.contains(id) {
            order.append(id)
            seen.insert(id)
        }
        let lexicalScore = Dictionary(lexical.map { ($0.id, $0.score) }, uniquingKeysWith: { a, _ in a })
        let position = Dictionary(order.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
        return order.map { id in
            let normalised = best > 0 ? lexicalScore[id, default: 0] / best : 0
            return (id, alpha * normalised + (1 - alpha) * dense[id, default: 0])
        }.sorted { $0.score != $1.score ? $0.score > $1.score : position[$0.id, default: 0] < position[$1.id, default: 0] }
    }
}
