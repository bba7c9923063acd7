import Foundation
import Synchronization
import Tokenizer

/// Turns prompts into streams of text with one model.
///
/// Compute runs on a dedicated thread per generation, off Swift's cooperative pool; generations on
/// the same `Generator` run one at a time, in the order they were asked for. A prompt that starts
/// with the tokens already in the KV cache reuses them.
public final class Generator: Sendable {
    public let model: DecoderModel
    /// The chat format, nil when the model's template is not one Sotto renders (chat prompts then fail).
    public let chatTemplate: ChatTemplate?
    private let session: DecoderSession
    private let lock = NSLock()
    /// Set when the cached prompt is to be forgotten while a generation holds the session.
    private let forgetAfterGeneration = Mutex(false)

    /// - Parameters:
    ///   - contextLength: tokens of prompt and output together (default 8,192, capped by the model).
    ///   - threads: compute threads (default: all cores).
    public init(model: DecoderModel, contextLength: Int? = nil, threads: Int? = nil) throws(GenerationError) {
        self.model = model
        session = try DecoderSession(model: model, contextLength: contextLength, threads: threads)
        chatTemplate = try? ChatTemplate(model: model)
    }

    /// The context length in tokens.
    public var contextLength: Int { session.cache.capacity }

    /// Forgets the prompt kept in the KV cache for reuse (it may quote documents that were just
    /// forgotten): now, or as soon as the generation under way ends. Never waits for one.
    public func forgetCachedPrompt() {
        if lock.try() {
            session.reset()
            lock.unlock()
        } else {
            forgetAfterGeneration.withLock { $0 = true }
            // The generation may have ended between the two: then no one else would look at the flag.
            if lock.try() {
                if takeForgetRequest() { session.reset() }
                lock.unlock()
            }
        }
    }

    /// Whether the cached prompt was to be forgotten; clears the request.
    private func takeForgetRequest() -> Bool {
        forgetAfterGeneration.withLock { requested in
            defer { requested = false }
            return requested
        }
    }

    /// How many tokens of the last prompt and answer the KV cache holds for reuse.
    public var cachedTokenCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return session.tokens.count
    }

    /// The token ids a prompt becomes.
    public func tokens(for prompt: GenerationPrompt) throws(GenerationError) -> [Int32] {
        let vocabulary = model.vocabulary
        switch prompt {
        case .text(let text):
            return vocabulary.encodePrompt(text)
        case .chat(let messages):
            guard let chatTemplate else { throw .unsupportedChatTemplate(file: model.name) }
            return chatTemplate.tokens(
                for: messages, tokenizer: vocabulary.tokenizer, bos: vocabulary.addsBOS ? vocabulary.bosTokenID : nil)
        case .tokens(let ids):
            return ids
        }
    }

    /// Generates from `prompt`: `.text` events as text is produced, then one `.finished`.
    /// Ending the iteration (or cancelling its task) stops the work before the next token.
    public func generate(
        prompt: GenerationPrompt, options: GenerationOptions = GenerationOptions()
    ) -> AsyncThrowingStream<GenerationEvent, Error> {
        let (stream, continuation) = AsyncThrowingStream<GenerationEvent, Error>.makeStream()
        let cancellation = CancellationFlag()
        continuation.onTermination = { _ in cancellation.cancel() }
        let thread = Thread { [self] in
            do {
                try generate(prompt: prompt, options: options, shouldStop: { cancellation.isCancelled }) { continuation.yield($0) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        thread.name = "sotto-generate"
        thread.start()
        return stream
    }

    /// Generates from `prompt` on the calling thread, handing `emit` the events: `.prefilled`, text as
    /// it is produced, then one `.finished`. `shouldStop` is asked before the prompt is run and between
    /// tokens; once it says yes the generation ends with `.finished` whose reason is `.interrupted`.
    /// Generations on the same `Generator` run one at a time (a caller that serialises them, as the
    /// answer service does, never waits here).
    public func generate(
        prompt: GenerationPrompt, options: GenerationOptions, shouldStop: () -> Bool, emit: (GenerationEvent) -> Void
    ) throws(GenerationError) {
        lock.lock()
        defer {
            if takeForgetRequest() { session.reset() }
            lock.unlock()
        }
        try options.sampling.validate()
        try options.speculation?.validate()
        guard options.maxTokens >= 0 else { throw .invalidOption("max tokens must be 0 or more (got \(options.maxTokens))") }
        let promptTokens = try tokens(for: prompt)
        guard !promptTokens.isEmpty else { throw .invalidOption("the prompt is empty (it has no tokens)") }
        guard promptTokens.count <= session.cache.capacity else {
            throw .contextOverflow(needed: promptTokens.count, capacity: session.cache.capacity)
        }
        if shouldStop() {
            emit(.finished(GenerationSummary(
                promptTokens: promptTokens.count, generatedTokens: 0, prefillSeconds: 0, decodeSeconds: 0, decodeEvaluations: 0,
                stopReason: .interrupted)))
            return
        }

        // Reuse the cached prefix; at least the last prompt token runs, for its logits.
        var shared = 0
        let cached = session.tokens
        while shared < min(cached.count, promptTokens.count - 1), cached[shared] == promptTokens[shared] { shared += 1 }
        session.truncate(to: shared)

        let clock = ContinuousClock()
        let prefillStart = clock.now
        var logits = try session.evaluate(Array(promptTokens[shared...]))
        let prefillSeconds = (clock.now - prefillStart).seconds
        emit(.prefilled(promptTokens: promptTokens.count, seconds: prefillSeconds))

        let vocabulary = model.vocabulary
        var sampler = Sampler(options: options.sampling)
        var detokenizer = StreamingDetokenizer(tokenizer: vocabulary.tokenizer)
        var matcher = StopStringMatcher(stopStrings: options.stopStrings)
        var history = promptTokens
        var counts = DecodeCounts()
        var stopReason = StopReason.maxTokens

        func emitText(_ text: String) -> Bool {
            let (out, stopped) = matcher.append(text)
            if !out.isEmpty { emit(.text(out)) }
            return stopped
        }
        /// Takes a chosen token into the output; false when the generation ends with it.
        func keep(_ token: Int32) -> Bool {
            if !options.ignoresEndOfGeneration, vocabulary.endOfGenerationIDs.contains(token) {
                stopReason = .endOfGeneration
                return false
            }
            counts.generated += 1
            history.append(token)
            if emitText(detokenizer.append(token)) {
                stopReason = .stopString
                return false
            }
            return counts.generated < options.maxTokens
        }

        // Drafts grow while they are kept whole and shrink to what was kept (plus one) when not:
        // checking a token costs compute, and a long draft the model leaves early wastes it.
        let longestDraft = options.speculation?.draftTokens ?? 0
        var draftLength = min(4, longestDraft)
        var token = sampler.sample(from: logits, history: history)
        decoding: while options.maxTokens > 0, keep(token) {
            if shouldStop() {
                stopReason = .interrupted
                break decoding
            }
            let start = clock.now
            defer { counts.decodeSeconds += (clock.now - start).seconds }
            counts.evaluations += 1
            // A draft no longer than the tokens still wanted after the one this pass adds, and the context's room.
            let room = min(options.maxTokens - counts.generated - 1, session.cache.capacity - session.tokens.count - 1)
            let draft = options.speculation?.draft(after: history, count: min(room, draftLength)) ?? []
            if draft.isEmpty {
                logits = try session.evaluate([token])
                counts.decoded += 1
                token = sampler.sample(from: logits, history: history)
                continue
            }
            // The token and its draft in one pass; each row's logits are those plain decoding would see.
            let base = session.tokens.count
            var kept: [Int32] = []
            var next: Int32?
            var seen = history
            try session.evaluate([token] + draft, logitsFrom: 0, rounding: .singleTokens) { row, rowLogits in
                guard next == nil else { return }
                guard row < draft.count else {
                    next = sampler.sample(from: rowLogits, history: seen)
                    return
                }
                let chosen = sampler.verify(draft: draft[row], from: rowLogits, history: seen)
                if chosen == draft[row] {
                    kept.append(chosen)
                    seen.append(chosen)
                } else {
                    next = chosen
                }
            }
            session.truncate(to: base + 1 + kept.count)
            draftLength = kept.count == draft.count ? min(2 * draftLength, longestDraft) : kept.count + 1
            counts.drafted += draft.count
            counts.accepted += kept.count
            counts.decoded += kept.count + 1
            for accepted in kept where !keep(accepted) { break decoding }
            guard let next else { break }
            token = next
        }
        if stopReason != .stopString {
            if emitText(detokenizer.finish()) {
                stopReason = .stopString
            } else {
                let rest = matcher.flush()
                if !rest.isEmpty { emit(.text(rest)) }
            }
        }
        emit(
            .finished(
                GenerationSummary(
                    promptTokens: promptTokens.count, generatedTokens: counts.generated, prefillSeconds: prefillSeconds,
                    decodeSeconds: counts.decodeSeconds, decodeEvaluations: counts.evaluations, stopReason: stopReason,
                    decodedTokens: counts.decoded, draftedTokens: counts.drafted, acceptedDraftTokens: counts.accepted,
                    reusedPromptTokens: shared)))
    }
}

/// What decoding did, for the summary.
private struct DecodeCounts {
    var generated = 0
    var evaluations = 0
    var decoded = 0
    var drafted = 0
    var accepted = 0
    var decodeSeconds = 0.0
}

extension Duration {
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) * 1e-18
    }
}
