import Foundation
import Testing
import CKernels
@testable import Generation

/// Parity with llama.cpp on the real models (Scripts/make-decoder-goldens; Fixtures/README.md).
/// Runs when the model files are in ~/.local/share/sotto/models (Scripts/fetch-models decoders);
/// the 1.5B model only with SOTTO_SLOW_TESTS=1.
struct RealModelTests {
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
        ("smollm2-135m", "smollm2-135m-instruct-q4_1.gguf", false),
        ("qwen2.5-coder-0.5b", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", false),
        ("qwen2.5-coder-1.5b", "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", true),
    ]

    /// The model and its golden, or nil (with the reason printed) when the test must skip.
    static func load<G: Decodable>(_ golden: String, prefix: String, as: G.Type) throws -> (DecoderModel, G)? {
        guard let entry = models.first(where: { $0.golden == golden }) else { return nil }
        if entry.slow && !TestFiles.slowTestsEnabled {
            print("skipping \(golden): set SOTTO_SLOW_TESTS=1 to run the 1.5B model")
            return nil
        }
        guard let url = TestFiles.model(entry.file) else {
            print("skipping \(golden): \(entry.file) is not in \(TestFiles.models.path) (Scripts/fetch-models decoders)")
            return nil
        }
        guard let json = TestFiles.fixture("\(prefix)-\(golden).json") else {
            print("skipping \(golden): Fixtures/\(prefix)-\(golden).json is missing (Scripts/make-decoder-goldens)")
            return nil
        }
        return (try DecoderModel(contentsOf: url), try JSONDecoder().decode(G.self, from: Data(contentsOf: json)))
    }

    /// The goldens come from llama.cpp built for an AVX-512 VNNI + AVX512-FP16 CPU (Fixtures/README.md).
    static var isGoldenMachine: Bool { sotto_quant_best_level() == 2 && sotto_decoder_half_arithmetic() == 1 }

    @Test(arguments: ["smollm2-135m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"])
    func greedyContinuationsMatchLlamaCpp(golden: String) throws {
        guard let (model, reference) = try Self.load(golden, prefix: "greedy", as: Golden.self) else { return }
        let session = try DecoderSession(model: model, contextLength: 512)
        let endOfGeneration = model.vocabulary.endOfGenerationIDs
        var identical = 0
        for (index, c) in reference.cases.enumerated() {
            // The prompt as llama-simple tokenizes it (markers parsed): our tokenizer must agree.
            #expect(model.vocabulary.tokenizer.encode(c.prompt, parseSpecial: true) == c.prompt_ids, "case \(index) tokens")
            session.reset()
            var logits = Array(try session.evaluate(c.prompt_ids))
            var ids: [Int32] = []
            var stepLogits: [[Float]] = []
            for _ in 0..<reference.n_predict {
                stepLogits.append(logits)
                var best = 0
                for j in logits.indices where logits[j] > logits[best] { best = j }
                let next = Int32(best)
                if endOfGeneration.contains(next) { break }
                ids.append(next)
                logits = Array(try session.evaluate([next]))
            }
            if ids == c.ids {
                identical += 1
                continue
            }
            // The first divergence must be a near-tie, in llama.cpp's logits and in ours (on another
            // CPU llama.cpp's kernels, and so its rounding, differ from the ones Sotto reproduces).
            let k = (0..<min(ids.count, c.ids.count)).first { ids[$0] != c.ids[$0] } ?? min(ids.count, c.ids.count)
            let step = min(k, c.top2.count - 1, stepLogits.count - 1)
            let theirs = c.top2[step]
            let theirMargin = theirs[1] - theirs[3]
            let ours = stepLogits[step]
            let ourMargin = Double((ours.max() ?? 0) - ours[Int(theirs[0])])
            print("\(golden) case \(index): first divergence at step \(k): llama.cpp's margin \(theirMargin), our logit of its token \(ourMargin) below our best")
            #expect(theirMargin < 0.5, "\(golden) case \(index): llama.cpp's margin at the divergence is \(theirMargin)")
            #expect(ourMargin < 0.5, "\(golden) case \(index): llama.cpp's token is \(ourMargin) below our best")
        }
        print("\(golden): \(identical)/\(reference.cases.count) greedy continuations identical to llama.cpp")
        // Short prompts and decode round as llama.cpp's AVX-512 build does (Fixtures/README.md), so
        // all 20 match on a CPU like the one the goldens were made on (AVX-512 VNNI and AVX512-FP16);
        // the requirement is 18, with near-tie divergences allowed. Elsewhere llama.cpp itself would
        // pick other kernels and round differently, so only the near-tie checks above apply.
        if Self.isGoldenMachine {
            #expect(identical >= 18)
        } else {
            print("\(golden): this CPU lacks AVX-512 VNNI or AVX512-FP16; the 18-of-20 count applies only where the goldens were made")
        }
    }

    @Test(arguments: ["smollm2-135m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"])
    func perplexityWithinOnePercentOfLlamaCpp(golden: String) throws {
        guard let (model, reference) = try Self.load(golden, prefix: "perplexity", as: PerplexityGolden.self) else { return }
        let squad = try #require(TestFiles.fixture("squad4.txt"))
        var text = try String(contentsOf: squad, encoding: .utf8)
        if text.hasSuffix("\n") { text.removeLast() }  // as llama-perplexity's -f
        let tokens = model.vocabulary.encodePrompt(text)
        #expect(tokens.count == reference.tokens)
        #expect(Array(tokens.prefix(reference.first_ids.count)) == reference.first_ids)
        let session = try DecoderSession(model: model, contextLength: reference.ctx)
        // Every chunk with SOTTO_SLOW_TESTS=1; otherwise the first 8, against llama.cpp's running
        // value after 8 chunks (the same computation, cut short as its --chunks 8 would).
        let chunks = TestFiles.slowTestsEnabled ? reference.chunks : min(8, reference.chunks)
        let result = try Perplexity.measure(tokens: tokens, session: session, maxChunks: chunks)
        let expected = reference.running_ppl[chunks - 1]
        print("\(golden): perplexity \(result.perplexity) over \(chunks) chunks (llama.cpp \(expected)) in \(result.seconds) s")
        #expect(result.chunkCount == chunks)
        #expect(abs(result.perplexity - expected) / expected < 0.01)
    }
}
