/// Combines ranked lists into one.
public enum RankFusion {
    /// Reciprocal-rank fusion (Cormack et al., 2009): each list gives an item weight / (k + rank),
    /// rank counted from 1; items are ordered by the sum. Ties keep the order of first appearance.
    public static func reciprocalRank(_ lists: [[Int64]], weights: [Double]? = nil, k: Double = 60) -> [(id: Int64, score: Double)] {
        var scores: [Int64: Double] = [:]
        var firstSeen: [Int64: Int] = [:]
        var order = 0
        for (index, list) in lists.enumerated() {
            let weight = weights.map { index < $0.count ? $0[index] : 1 } ?? 1
            for (rank, id) in list.enumerated() {
                scores[id, default: 0] += weight / (k + Double(rank + 1))
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
