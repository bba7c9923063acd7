import Testing
@testable import Generation

struct SeededRandomTests {
    @Test func sequenceIsFixedBySeed() {
        var a = SeededRandom(seed: 42), b = SeededRandom(seed: 42), c = SeededRandom(seed: 43)
        let x = (0..<8).map { _ in a.next() }
        #expect(x == (0..<8).map { _ in b.next() })
        #expect(x != (0..<8).map { _ in c.next() })
        // SplitMix64's published first output for seed 0 keeps the generator honest across versions.
        var zero = SeededRandom(seed: 0)
        #expect(zero.next() == 0xE220_A839_7B1D_CDAF)
    }

    @Test func unitValuesAreInRange() {
        var r = SeededRandom(seed: 1)
        let values = (0..<1000).map { _ in r.nextUnit() }
        #expect(values.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean = values.reduce(0, +) / 1000
        #expect(abs(mean - 0.5) < 0.05)
    }
}
