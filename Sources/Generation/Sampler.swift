import Foundation

/// Picks the next token from logits, as llama.cpp's default chain does:
/// repetition penalty → top-k → top-p → min-p → temperature → draw (greedy when temperature is 0).
public struct Sampler: Sendable {
    public let options: SamplingOptions
    private var random: SeededRandom

    public init(options: SamplingOptions) {
        self.options = options
        random = SeededRandom(seed: options.seed)
    }

    /// A candidate token and its (adjusted) logit.
    struct Candidate {
        var id: Int32
        var logit: Float
    }

    /// The next token given `logits` and the tokens so far (prompt and generated; the penalty looks
    /// at the last `repeatLastN`).
    public mutating func sample(from logits: UnsafeBufferPointer<Float>, history: [Int32]) -> Int32 {
        guard !logits.isEmpty else { return 0 }
        let penalised = penalties(history: history)
        if options.temperature <= 0 { return Self.greedy(logits, penalised: penalised) }
        return draw(distribution(logits, penalised: penalised))
    }

    /// The token kept where `draft` was proposed: greedy, the most likely token (which keeps the
    /// draft when it is that token); sampling, `draft` with its probability, else a token drawn from
    /// the others in proportion to theirs (standard speculative sampling with a draft that is
    /// certain of its token), so the text follows the same distribution as `sample` gives.
    public mutating func verify(draft: Int32, from logits: UnsafeBufferPointer<Float>, history: [Int32]) -> Int32 {
        guard !logits.isEmpty else { return 0 }
        let penalised = penalties(history: history)
        if options.temperature <= 0 { return Self.greedy(logits, penalised: penalised) }
        var candidates = distribution(logits, penalised: penalised)
        guard let index = candidates.firstIndex(where: { $0.id == draft }) else { return draw(candidates) }
        if random.nextUnit() < Double(probabilities(candidates)[index]) { return draft }
        candidates.remove(at: index)
        return candidates.isEmpty ? draft : draw(candidates)
    }

    /// A logit after the repetition penalty.
    @inline(__always)
    private static func logit(_ logits: UnsafeBufferPointer<Float>, _ i: Int, _ penalised: [Int32: Float]) -> Float {
        guard !penalised.isEmpty, let factor = penalised[Int32(i)] else { return logits[i] }
        return logits[i] <= 0 ? logits[i] * factor : logits[i] / factor
    }

    /// The first maximum, as llama.cpp's greedy sampler.
    private static func greedy(_ logits: UnsafeBufferPointer<Float>, penalised: [Int32: Float]) -> Int32 {
        var best = 0
        var bestLogit = logit(logits, 0, penalised)
        for i in 1..<logits.count {
            let l = logit(logits, i, penalised)
            if l > bestLogit {
                best = i
                bestLogit = l
            }
        }
        return Int32(best)
    }

    /// The candidates left by top-k, top-p and min-p, their logits divided by the temperature.
    private func distribution(_ logits: UnsafeBufferPointer<Float>, penalised: [Int32: Float]) -> [Candidate] {
        var candidates = topK(count: logits.count) { Self.logit(logits, $0, penalised) }
        applyTopP(&candidates)
        applyMinP(&candidates)
        for i in candidates.indices { candidates[i].logit /= options.temperature }
        return candidates
    }

    /// Tokens in the penalty window → the penalty (each token penalised once however often it appears).
    private func penalties(history: [Int32]) -> [Int32: Float] {
        guard options.repeatPenalty != 1, options.repeatLastN > 0 else { return [:] }
        var result: [Int32: Float] = [:]
        for id in history.suffix(options.repeatLastN) { result[id] = options.repeatPenalty }
        return result
    }

    /// The k best candidates sorted by descending logit (all of them, sorted, when k is 0).
    private func topK(count: Int, logit: (Int) -> Float) -> [Candidate] {
        let k = options.topK
        if k <= 0 || k >= count {
            var all = (0..<count).map { Candidate(id: Int32($0), logit: logit($0)) }
            all.sort { $0.logit > $1.logit || ($0.logit == $1.logit && $0.id < $1.id) }
            return all
        }
        // Keep a sorted window of the best k: most logits fall below its minimum at once.
        var best: [Candidate] = []
        best.reserveCapacity(k + 1)
        for i in 0..<count {
            let l = logit(i)
            if best.count == k, let last = best.last, l <= last.logit { continue }
            var j = best.count
            while j > 0, best[j - 1].logit < l { j -= 1 }
            best.insert(Candidate(id: Int32(i), logit: l), at: j)
            if best.count > k { best.removeLast() }
        }
        return best
    }

    /// Softmax probabilities of sorted candidates (Double sums, as llama.cpp).
    private func probabilities(_ candidates: [Candidate]) -> [Float] {
        guard let maximum = candidates.first?.logit else { return [] }
        var p = candidates.map { Foundation.exp($0.logit - maximum) }
        var sum = 0.0
        for e in p { sum += Double(e) }
        for i in p.indices { p[i] = Float(Double(p[i]) / sum) }
        return p
    }

    /// Keeps the shortest prefix whose probability reaches topP.
    private func applyTopP(_ candidates: inout [Candidate]) {
        guard options.topP < 1 else { return }
        let p = probabilities(candidates)
        var cumulative = 0.0
        for i in p.indices {
            cumulative += Double(p[i])
            if cumulative >= Double(options.topP) {
                candidates.removeSubrange((i + 1)...)
                return
            }
        }
    }

    /// Keeps candidates with probability at least minP × the best one's (compared on logits).
    private func applyMinP(_ candidates: inout [Candidate]) {
        guard options.minP > 0, let maximum = candidates.first?.logit else { return }
        let threshold = maximum + Foundation.log(options.minP)
        let kept = candidates.filter { $0.logit >= threshold }
        if !kept.isEmpty { candidates = kept }
    }

    private mutating func draw(_ candidates: [Candidate]) -> Int32 {
        let p = probabilities(candidates)
        let u = random.nextUnit()
        var cumulative = 0.0
        for i in p.indices {
            cumulative += Double(p[i])
            if u < cumulative { return candidates[i].id }
        }
        return candidates.last?.id ?? 0
    }
}
