import Foundation
import Synchronization
import Testing
import TestSupport
import CKernels
@testable import Generation

/// Parity with llama.cpp on the real models (Scripts/make-decoder-goldens; Fixtures/README.md), one
/// suite a model, each skipped with its reason when the model file or its goldens are absent (the
/// 1.5B also without SOTTO_SLOW_TESTS=1). The greedy continuations are computed once a model and
/// checked twice: every divergence a near-tie (on any CPU), and the count of identical
/// continuations (only on a CPU like the goldens', where Sotto rounds as that llama.cpp build did).
enum RealModelParity {
    struct Golden: Decodable {
        struct Case: Decodable {
            var prompt: String
            var prompt_ids: [Int32]
            var ids: [Int32]
            var stop: String
            var top2: [[Double]]
        }
        var model: String
        var n_predict: Int
        var cases: [Case]
    }

    struct PerplexityGolden: Decodable {
        var model: String
        var tokens: Int
        var first_ids: [Int32]
        var ctx: Int
        var chunks: Int
        var ppl: Double
        var running_ppl: [Double]
    }

    static let models: [(golden: String, file: String, slow: Bool)] = [
        ("smollm2-135m", TestModels.smolLM2, false),
        ("qwen2.5-coder-0.5b", TestModels.qwen05, false),
        ("qwen2.5-coder-1.5b", TestModels.qwen15, true),
    ]

    /// Why `golden`'s parity tests cannot run here, or nil when they can.
    static func obstacle(_ golden: String) -> String? {
        guard let entry = models.first(where: { $0.golden == golden }) else { return "no model \(golden)" }
        if entry.slow && !TestModels.slowTestsEnabled { return "\(golden) runs only with SOTTO_SLOW_TESTS=1" }
        if !TestModels.isInstalled(entry.file) { return TestModels.missing(entry.file) }
        for prefix in ["greedy", "perplexity"] where TestFiles.fixture("\(prefix)-\(golden).json") == nil {
            return "Fixtures/\(prefix)-\(golden).json is missing (Scripts/make-decoder-goldens)"
        }
        return nil
    }

    static func canRun(_ golden: String) -> Bool { obstacle(golden) == nil }
    static func reason(_ golden: String) -> Comment { Comment(rawValue: obstacle(golden) ?? "") }

    static func load<G: Decodable>(_ golden: String, prefix: String, as: G.Type) throws -> (DecoderModel, G) {
        let entry = try #require(models.first { $0.golden == golden })
        let url = try #require(TestModels.installed(entry.file))
        let json = try #require(TestFiles.fixture("\(prefix)-\(golden).json"))
        return (try DecoderModel(contentsOf: url), try JSONDecoder().decode(G.self, from: Data(contentsOf: json)))
    }

    /// The goldens come from llama.cpp built for an AVX-512 VNNI + AVX512-FP16 CPU (Fixtures/README.md).
    static var isGoldenMachine: Bool { sotto_quant_best_level() == 2 && sotto_decoder_half_arithmetic() == 1 }

    static var cpuLikeGoldens: Comment {
        "this CPU lacks AVX-512 VNNI or AVX512-FP16: llama.cpp's build for it would round otherwise, so only the near-tie checks apply"
    }

    /// One greedy run of every golden case: our continuation and our logits at each step.
    struct GreedyRun: Sendable {
        struct Case: Sendable {
            var ids: [Int32]
            var stepLogits: [[Float]]
        }
        var reference: Golden
        var cases: [Case]

        var identical: Int { zip(cases, reference.cases).filter { $0.ids == $1.ids }.count }
    }

    private static let runs = Mutex<[String: GreedyRun]>([:])

    /// The greedy run of `golden`, computed by the first test that asks (the lock is held meanwhile, so
    /// the second waits for it instead of computing it again).
    static func greedy(_ golden: String) throws -> GreedyRun {
        try runs.withLock { runs in
            if let run = runs[golden] { return run }
            let (model, reference) = try load(golden, prefix: "greedy", as: Golden.self)
            let session = try DecoderSession(model: model, contextLength: 512)
            let endOfGeneration = model.vocabulary.endOfGenerationIDs
            var cases: [GreedyRun.Case] = []
            for (index, c) in reference.cases.enumerated() {
                // The prompt as llama-simple tokenizes it (markers parsed): our tokenizer must agree.
                #expect(model.vocabulary.tokenizer.encode(c.prompt, parseSpecial: true) == c.prompt_ids, "case \(index) tokens")
                session.reset()
                var logits = Array(try session.evaluate(c.prompt_ids))
                var run = GreedyRun.Case(ids: [], stepLogits: [])
                for _ in 0..<reference.n_predict {
                    run.stepLogits.append(logits)
                    var best = 0
                    for j in logits.indices where logits[j] > logits[best] { best = j }
                    let next = Int32(best)
                    if endOfGeneration.contains(next) { break }
                    run.ids.append(next)
                    logits = Array(try session.evaluate([next]))
                }
                cases.append(run)
            }
            let run = GreedyRun(reference: reference, cases: cases)
            runs[golden] = run
            return run
        }
    }

    /// Where our continuation leaves llama.cpp's, both must have been close to a tie (on another CPU
    /// llama.cpp's kernels, and so its rounding, differ from the ones Sotto reproduces).
    static func divergencesAreNearTies(_ golden: String) throws {
        let run = try greedy(golden)
        for (index, (ours, c)) in zip(run.cases, run.reference.cases).enumerated() where ours.ids != c.ids {
            let ids = ours.ids
            let k = (0..<min(ids.count, c.ids.count)).first { ids[$0] != c.ids[$0] } ?? min(ids.count, c.ids.count)
            let step = min(k, c.top2.count - 1, ours.stepLogits.count - 1)
            let theirs = c.top2[step]
            let theirMargin = theirs[1] - theirs[3]
            let logits = ours.stepLogits[step]
            let ourMargin = Double((logits.max() ?? 0) - logits[Int(theirs[0])])
            print("\(golden) case \(index): first divergence at step \(k): llama.cpp's margin \(theirMargin), our logit of its token \(ourMargin) below our best")
            #expect(theirMargin < 0.5, "\(golden) case \(index): llama.cpp's margin at the divergence is \(theirMargin)")
            #expect(ourMargin < 0.5, "\(golden) case \(index): llama.cpp's token is \(ourMargin) below our best")
        }
        print("\(golden): \(run.identical)/\(run.reference.cases.count) greedy continuations identical to llama.cpp")
    }

    /// Short prompts and decode round as llama.cpp's AVX-512 build does (Fixtures/README.md), so all
    /// 20 match on a CPU like the goldens'; the requirement is 18, with near-tie divergences allowed.
    static func continuationsAreIdentical(_ golden: String) throws {
        let run = try greedy(golden)
        print("\(golden): \(run.identical)/\(run.reference.cases.count) greedy continuations identical to llama.cpp (a CPU like the goldens')")
        #expect(run.identical >= 18)
    }

    static func perplexityWithinOnePercentOfLlamaCpp(_ golden: String) throws {
        let (model, reference) = try load(golden, prefix: "perplexity", as: PerplexityGolden.self)
        let squad = try #require(TestFiles.fixture("squad4.txt"))
        var text = try String(contentsOf: squad, encoding: .utf8)
        if text.hasSuffix("\n") { text.removeLast() }  // as llama-perplexity's -f
        let tokens = model.vocabulary.encodePrompt(text)
        #expect(tokens.count == reference.tokens)
        #expect(Array(tokens.prefix(reference.first_ids.count)) == reference.first_ids)
        let session = try DecoderSession(model: model, contextLength: reference.ctx)
        // Every chunk with SOTTO_SLOW_TESTS=1; otherwise the first 8, against llama.cpp's running
        // value after 8 chunks (the same computation, cut short as its --chunks 8 would).
        let chunks = TestModels.slowTestsEnabled ? reference.chunks : min(8, reference.chunks)
        let result = try Perplexity.measure(tokens: tokens, session: session, maxChunks: chunks)
        let expected = reference.running_ppl[chunks - 1]
        print("\(golden): perplexity \(result.perplexity) over \(chunks) chunks (llama.cpp \(expected)) in \(result.seconds) s")
        #expect(result.chunkCount == chunks)
        #expect(abs(result.perplexity - expected) / expected < 0.01)
    }
}

@Suite(.enabled(if: RealModelParity.canRun("smollm2-135m"), RealModelParity.reason("smollm2-135m")))
struct SmolLM2ParityTests {
    @Test func greedyDivergencesAreNearTies() throws { try RealModelParity.divergencesAreNearTies("smollm2-135m") }
    @Test(.enabled(if: RealModelParity.isGoldenMachine, RealModelParity.cpuLikeGoldens))
    func greedyContinuationsMatchLlamaCpp() throws { try RealModelParity.continuationsAreIdentical("smollm2-135m") }
    @Test func perplexityWithinOnePercentOfLlamaCpp() throws { try RealModelParity.perplexityWithinOnePercentOfLlamaCpp("smollm2-135m") }
}

@Suite(.enabled(if: RealModelParity.canRun("qwen2.5-coder-0.5b"), RealModelParity.reason("qwen2.5-coder-0.5b")))
struct Qwen05ParityTests {
    @Test func greedyDivergencesAreNearTies() throws { try RealModelParity.divergencesAreNearTies("qwen2.5-coder-0.5b") }
    @Test(.enabled(if: RealModelParity.isGoldenMachine, RealModelParity.cpuLikeGoldens))
    func greedyContinuationsMatchLlamaCpp() throws { try RealModelParity.continuationsAreIdentical("qwen2.5-coder-0.5b") }
    @Test func perplexityWithinOnePercentOfLlamaCpp() throws { try RealModelParity.perplexityWithinOnePercentOfLlamaCpp("qwen2.5-coder-0.5b") }
}

@Suite(.enabled(if: RealModelParity.canRun("qwen2.5-coder-1.5b"), RealModelParity.reason("qwen2.5-coder-1.5b")))
struct Qwen15ParityTests {
    @Test func greedyDivergencesAreNearTies() throws { try RealModelParity.divergencesAreNearTies("qwen2.5-coder-1.5b") }
    @Test(.enabled(if: RealModelParity.isGoldenMachine, RealModelParity.cpuLikeGoldens))
    func greedyContinuationsMatchLlamaCpp() throws { try RealModelParity.continuationsAreIdentical("qwen2.5-coder-1.5b") }
    @Test func perplexityWithinOnePercentOfLlamaCpp() throws { try RealModelParity.perplexityWithinOnePercentOfLlamaCpp("qwen2.5-coder-1.5b") }
}
