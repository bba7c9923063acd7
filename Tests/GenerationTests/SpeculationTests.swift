import Foundation
import Testing
import TestSupport
@testable import Generation

struct SpeculationTests {
    @Test func draftsWhatFollowedTheLatestEarlierOccurrence() {
        let lookup = Speculation(draftTokens: 8, shortestMatch: 2, longestMatch: 4)
        #expect(lookup.draft(after: [1, 2, 3, 4, 9, 1, 2, 3], count: 2) == [4, 9])
        // Of two occurrences of the last two tokens, the later one.
        #expect(lookup.draft(after: [5, 6, 7, 5, 6, 8, 5, 6], count: 3) == [8, 5, 6])
        // A longer match wins over a later, shorter one.
        #expect(lookup.draft(after: [1, 2, 3, 7, 9, 2, 3, 8, 1, 2, 3], count: 1) == [7])
        // The draft ends where the sequence does.
        #expect(lookup.draft(after: [1, 2, 1, 2], count: 5) == [1, 2])
        #expect(lookup.draft(after: [1, 2, 3, 4], count: 4) == [])
        #expect(lookup.draft(after: [1, 2, 1, 2], count: 0) == [])
        // A single recurring token is not enough with a shortest match of 2.
        #expect(lookup.draft(after: [7, 1, 2, 7], count: 3) == [])
        #expect(Speculation(shortestMatch: 1, longestMatch: 1).draft(after: [7, 1, 2, 7], count: 3) == [1, 2, 7])
    }

    @Test func outOfRangeSettingsAreRefused() {
        #expect(throws: GenerationError.self) { try Speculation(draftTokens: 0).validate() }
        #expect(throws: GenerationError.self) { try Speculation(draftTokens: 33).validate() }
        #expect(throws: GenerationError.self) { try Speculation(shortestMatch: 0).validate() }
        #expect(throws: GenerationError.self) { try Speculation(shortestMatch: 3, longestMatch: 2).validate() }
        #expect(throws: Never.self) { try Speculation().validate() }
    }

    @Test func greedyVerificationKeepsTheMostLikelyToken() {
        let logits: [Float] = [0.5, 3, 1, -2]
        var sampler = Sampler(options: SamplingOptions())
        logits.withUnsafeBufferPointer { l in
            #expect(sampler.verify(draft: 1, from: l, history: []) == 1)
            #expect(sampler.verify(draft: 2, from: l, history: []) == 1)
        }
    }

    /// Keeping a draft token with its probability, else drawing from the rest, gives each token its
    /// own probability: the text is distributed as without speculation.
    @Test(arguments: [Int32(0), 2, 4])
    func verifyingADraftKeepsTheSamplingDistribution(draft: Int32) {
        let logits: [Float] = [2, 1, 0.5, 0, -1]
        let maximum = logits.max() ?? 0
        let weights = logits.map { Double(Foundation.exp($0 - maximum)) }
        let expected = weights.map { $0 / weights.reduce(0, +) }
        var sampler = Sampler(options: SamplingOptions(temperature: 1, topK: 0, topP: 1, minP: 0, seed: 11))
        let draws = 40_000
        var counts = [Int](repeating: 0, count: logits.count)
        logits.withUnsafeBufferPointer { l in
            for _ in 0..<draws { counts[Int(sampler.verify(draft: draft, from: l, history: []))] += 1 }
        }
        for i in logits.indices {
            // Four standard errors at most (0.0025 at p = 0.5 with 40,000 draws).
            #expect(abs(Double(counts[i]) / Double(draws) - expected[i]) < 0.01, "token \(i): \(counts[i]) of \(draws), p = \(expected[i])")
        }
    }

    @Test func theTinyModelGivesTheSameTokensWithAndWithoutSpeculation() async throws {
        let model = try TinyModel.model()
        let generator = try Generator(model: model, contextLength: 256, threads: 2)
        // A prompt that repeats itself, so lookups find drafts.
        let prompt = GenerationPrompt.text(String(repeating: "the cat saw the hat and the bat ", count: 4))
        for sampling in [SamplingOptions(), SamplingOptions(temperature: 0, repeatPenalty: 1.3)] {
            let plain = try await SpeculationRun.of(generator, prompt, GenerationOptions(maxTokens: 60, sampling: sampling, ignoresEndOfGeneration: true, speculation: nil))
            let fast = try await SpeculationRun.of(generator, prompt, GenerationOptions(maxTokens: 60, sampling: sampling, ignoresEndOfGeneration: true))
            #expect(fast.text == plain.text)
            #expect(fast.summary.generatedTokens == 60)
            #expect(fast.summary.decodedTokens == plain.summary.decodedTokens)
            #expect(plain.summary.draftedTokens == 0)
            #expect(fast.summary.draftedTokens > 0)
            #expect(fast.summary.draftedTokens <= fast.summary.decodeEvaluations * Speculation().draftTokens)
        }
    }
}

/// One generation's text and summary.
struct SpeculationRun {
    var text = ""
    var summary: GenerationSummary

    static func of(_ generator: Generator, _ prompt: GenerationPrompt, _ options: GenerationOptions) async throws -> SpeculationRun {
        var text = ""
        var summary: GenerationSummary?
        for try await event in generator.generate(prompt: prompt, options: options) {
            switch event {
            case .text(let piece): text += piece
            case .prefilled: break
            case .finished(let s): summary = s
            }
        }
        return SpeculationRun(text: text, summary: try #require(summary))
    }
}

/// The speculative decoder on a real model: drafted tokens are checked with each row rounded as its
/// own one-token pass, so greedy answers are the plain decoder's, token for token.
@Suite(.enabled(if: TestModels.isInstalled(TestModels.qwen05), Comment(rawValue: TestModels.missing(TestModels.qwen05))))
struct SpeculativeDecodingOnQwenTests {
    static let passage = """
        The lease of the flat at Kastanienallee 12 in Berlin runs from 1 March 2024 to 28 February 2029. \
        The monthly rent is 1,450 euros, due on the third working day of each month, and the deposit of \
        4,350 euros is held in a separate savings account. Either party may end the lease with three \
        months' notice in writing; the landlord only for the reasons the German Civil Code allows.
        """

    static func model() throws -> DecoderModel {
        try DecoderModel(contentsOf: try #require(TestModels.installed(TestModels.qwen05)))
    }

    @Test func singleTokenRoundingGivesEachRowTheLogitsOfItsOwnPass() throws {
        let model = try Self.model()
        let tokenizer = model.vocabulary.tokenizer
        let prompt = tokenizer.encode(Self.passage, parseSpecial: false)
        let next = tokenizer.encode(" The deposit of 4,350 euros is held", parseSpecial: false)
        #expect(next.count >= 6)
        let batched = try DecoderSession(model: model, contextLength: 512)
        let single = try DecoderSession(model: model, contextLength: 512)
        _ = try batched.evaluate(prompt)
        _ = try single.evaluate(prompt)
        var rows: [[Float]] = []
        try batched.evaluate(next, logitsFrom: 0, rounding: .singleTokens) { _, logits in rows.append(Array(logits)) }
        #expect(rows.count == next.count)
        for (i, token) in next.enumerated() {
            let alone = Array(try single.evaluate([token]))
            #expect(alone == rows[i], "row \(i) differs from its own pass")
        }
        #expect(batched.tokens == single.tokens)
    }

    @Test func greedyAnswersAreTheSameTokensInFewerPasses() async throws {
        let model = try Self.model()
        let generator = try Generator(model: model, contextLength: 1024, threads: 2)
        let questions = [
            "Quote the sentence of the passage that says when the lease ends, word for word.",
            "What is the rent and when is it due? Answer in one sentence using the passage's words.",
        ]
        var passes = 0, tokens = 0
        for question in questions {
            let prompt = GenerationPrompt.chat([
                ChatMessage(role: .system, content: "Answer from the passage only.\n\nPassage:\n" + Self.passage),
                ChatMessage(role: .user, content: question),
            ])
            let plain = try await SpeculationRun.of(generator, prompt, GenerationOptions(maxTokens: 80, speculation: nil))
            let fast = try await SpeculationRun.of(generator, prompt, GenerationOptions(maxTokens: 80))
            #expect(fast.text == plain.text)
            #expect(fast.summary.generatedTokens == plain.summary.generatedTokens)
            #expect(fast.summary.stopReason == plain.summary.stopReason)
            passes += fast.summary.decodeEvaluations
            tokens += fast.summary.decodedTokens
            #expect(fast.summary.acceptedDraftTokens <= fast.summary.draftedTokens)
            #expect(fast.summary.draftedTokens <= fast.summary.decodeEvaluations * Speculation().draftTokens)
        }
        // Copying from the passage, drafts are kept: fewer passes than tokens.
        #expect(passes < tokens, "\(passes) passes for \(tokens) tokens")
    }

    @Test func sampledAnswersStayWithinTheModelsChoices() async throws {
        let model = try Self.model()
        let generator = try Generator(model: model, contextLength: 1024, threads: 2)
        let prompt = GenerationPrompt.chat([
            ChatMessage(role: .system, content: "Answer from the passage only.\n\nPassage:\n" + Self.passage),
            ChatMessage(role: .user, content: "Repeat the passage's first sentence."),
        ])
        let sampling = SamplingOptions(temperature: 0.7, seed: 5)
        let first = try await SpeculationRun.of(generator, prompt, GenerationOptions(maxTokens: 60, sampling: sampling))
        let again = try await SpeculationRun.of(generator, prompt, GenerationOptions(maxTokens: 60, sampling: sampling))
        // The same seed gives the same text (the cache left by the first run is reused correctly).
        #expect(first.text == again.text)
        #expect(first.summary.generatedTokens > 0)
        #expect(first.summary.draftedTokens > 0)
    }
}
