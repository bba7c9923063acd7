import Testing
@testable import Answering

@Suite struct AbstentionPolicyTests {
    @Test func coverageIsTheBestPassagesShareOfTheQuestionsContentWords() {
        let question = "When does the Berlin lease end?"  // content words: berlin, lease, end
        #expect(Relevance.coverage(of: question, by: ["The leases of the Berlin office end in 2029."]) == 1)
        let partial = Relevance.coverage(of: question, by: ["Berlin is a city.", "A lease, Berlin."])
        #expect(abs(partial - 2.0 / 3.0) < 1e-9)
        #expect(Relevance.coverage(of: question, by: ["Sourdough bread."]) == 0)
        #expect(Relevance.coverage(of: "what is it?", by: ["anything"]) == 0)
    }

    @Test func abstainsWhenEitherTheCosineOrTheCoverageIsLow() {
        let policy = AbstentionPolicy(minimumCosine: 0.3, minimumCoverage: 0.5)
        #expect(policy.shouldAbstain(Relevance(cosine: 0.2, coverage: 1)))
        #expect(policy.shouldAbstain(Relevance(cosine: 0.4, coverage: 0.4)))
        #expect(!policy.shouldAbstain(Relevance(cosine: 0.4, coverage: 0.5)))
        #expect(policy.shouldAbstain(Relevance(cosine: nil, coverage: 0.4)))
        #expect(!policy.shouldAbstain(Relevance(cosine: nil, coverage: 0.5)))
        #expect(!AbstentionPolicy.never.shouldAbstain(Relevance(cosine: -1, coverage: 0)))
    }
}
