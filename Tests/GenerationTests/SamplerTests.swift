import Testing
@testable import Generation

struct SamplerTests {
    func sample(_ logits: [Float], _ options: SamplingOptions, history: [Int32] = []) -> Int32 {
        var sampler = Sampler(options: options)
        return logits.withUnsafeBufferPointer { sampler.sample(from: $0, history: history) }
    }

    @Test func greedyTakesTheFirstMaximum() {
        #expect(sample([0.1, 3, -2, 3, 1], SamplingOptions()) == 1)
        #expect(sample([-5, -4, -4.5], SamplingOptions()) == 1)
    }

    @Test func repetitionPenaltyDividesPositiveAndMultipliesNegativeLogits() {
        let penalty = SamplingOptions(repeatPenalty: 2)
        // 3 / 2 = 1.5 < 2: the repeated token loses.
        #expect(sample([3, 2], penalty, history: [0]) == 1)
        // -1 × 2 = -2 < -1.5: a negative logit is pushed further down, not up.
        #expect(sample([-1, -1.5], penalty, history: [0]) == 1)
        // Outside the window (last 1 token) nothing changes.
        var windowed = penalty
        windowed.repeatLastN = 1
        #expect(sample([3, 2], windowed, history: [0, 1]) == 0)
    }

    @Test func topKOfOneIsGreedyWhateverTheTemperature() {
        let logits: [Float] = [0.5, 2.5, 2.4, -1]
        for seed in 0..<20 {
            #expect(sample(logits, SamplingOptions(temperature: 5, topK: 1, topP: 1, minP: 0, seed: UInt64(seed))) == 1)
        }
    }

    @Test func sameSeedSameChoicesDifferentSeedsDiffer() {
        let logits = [Float](repeating: 0, count: 50)
        let options = SamplingOptions(temperature: 1, topK: 0, topP: 1, minP: 0, seed: 7)
        var a = Sampler(options: options), b = Sampler(options: options)
        var c = Sampler(options: SamplingOptions(temperature: 1, topK: 0, topP: 1, minP: 0, seed: 8))
        let (x, y, z) = logits.withUnsafeBufferPointer { p in
            ((0..<30).map { _ in a.sample(from: p, history: []) },
             (0..<30).map { _ in b.sample(from: p, history: []) },
             (0..<30).map { _ in c.sample(from: p, history: []) })
        }
        #expect(x == y)
        #expect(x != z)
        #expect(Set(x).count > 5)  // a uniform distribution over 50 is really sampled
    }

    @Test func minPDropsUnlikelyTokens() {
        // p(1)/p(0) = e^-3 ≈ 0.05 < 0.1: only token 0 survives.
        let logits: [Float] = [0, -3, -3.1]
        for seed in 0..<30 {
            #expect(sample(logits, SamplingOptions(temperature: 1, topK: 0, topP: 1, minP: 0.1, seed: UInt64(seed))) == 0)
        }
    }

    @Test func topPKeepsTheSmallestSetReachingP() {
        // Probabilities ≈ 0.64, 0.24, 0.09, 0.03: top-p 0.8 keeps tokens 0 and 1.
        let logits: [Float] = [2, 1, 0, -1]
        var seen = Set<Int32>()
        for seed in 0..<200 {
            seen.insert(sample(logits, SamplingOptions(temperature: 1, topK: 0, topP: 0.8, minP: 0, seed: UInt64(seed))))
        }
        #expect(seen == [0, 1])
    }

    @Test func temperatureFlattensTheDistribution() {
        let logits: [Float] = [1, 0]
        func share(_ temperature: Float) -> Int {
            (0..<400).filter {
                sample(logits, SamplingOptions(temperature: temperature, topK: 0, topP: 1, minP: 0, seed: UInt64($0))) == 1
            }.count
        }
        // p(1) = 0.27 at T = 1, 0.45 at T = 10, 0.007 at T = 0.2.
        #expect(share(10) > share(1))
        #expect(share(1) > share(0.2))
        #expect((70...150).contains(share(1)))
    }

    @Test func invalidOptionsAreRejected() {
        #expect(throws: GenerationError.self) { try SamplingOptions(temperature: -1).validate() }
        #expect(throws: GenerationError.self) { try SamplingOptions(topP: 0).validate() }
        #expect(throws: GenerationError.self) { try SamplingOptions(minP: 2).validate() }
        #expect(throws: GenerationError.self) { try SamplingOptions(repeatPenalty: 0).validate() }
        #expect(throws: Never.self) { try SamplingOptions().validate() }
    }
}
