/// Speculative decoding by prompt lookup: the tokens that followed the latest earlier occurrence
/// of the last few tokens (in the prompt or the text so far) are proposed as the next ones and
/// checked in one forward pass. The output is what plain decoding gives: token for token when
/// greedy (every row rounds as a one-token pass would), and from the same distribution when
/// sampling (a proposed token is kept with its probability, otherwise the token is drawn from the
/// rest) — only faster when an answer copies its sources.
public struct Speculation: Sendable, Equatable {
    /// Tokens proposed per pass, at most.
    public var draftTokens: Int
    /// The shortest run of last tokens that must recur for a proposal.
    public var shortestMatch: Int
    /// The longest run looked up first (longer matches predict better).
    public var longestMatch: Int

    public init(draftTokens: Int = 8, shortestMatch: Int = 2, longestMatch: Int = 4) {
        self.draftTokens = draftTokens
        self.shortestMatch = shortestMatch
        self.longestMatch = longestMatch
    }

    /// Throws when a value is out of range, naming it.
    public func validate() throws(GenerationError) {
        guard (1...32).contains(draftTokens) else { throw .invalidOption("draft tokens must be 1 to 32 (got \(draftTokens))") }
        guard shortestMatch >= 1 else { throw .invalidOption("the shortest match must be 1 or more (got \(shortestMatch))") }
        guard longestMatch >= shortestMatch, longestMatch <= 16 else {
            throw .invalidOption("the longest match must be \(shortestMatch) to 16 (got \(longestMatch))")
        }
    }

    /// Up to `count` tokens that followed the latest earlier occurrence of the last n tokens of
    /// `history`, n from `longestMatch` down to `shortestMatch`; empty when none recurs.
    public func draft(after history: [Int32], count: Int) -> [Int32] {
        guard count > 0 else { return [] }
        let h = history.count
        var n = min(longestMatch, h - 1)
        while n >= shortestMatch {
            // Starts i of earlier occurrences that leave at least one token after them.
            var i = h - n - 1
            while i >= 0 {
                var same = true
                for j in 0..<n where history[i + j] != history[h - n + j] {
                    same = false
                    break
                }
                if same {
                    let from = i + n
                    return Array(history[from..<min(from + count, h)])
                }
                i -= 1
            }
            n -= 1
        }
        return []
    }
}
