import Foundation
public import Generation
import Synchronization

/// A deterministic stand-in for a decoder, with no weights: it "answers" by naming each source in
/// the last user message and quoting its first words, one word per piece. For tests, and for running
/// the whole answer path (`[[decoders]] file = "builtin:echo"`, `Scripts/eval --dry-run`) where no
/// real model is installed.
public final class EchoAnswerModel: AnswerModel {
    public let name: String
    public let contextTokens: Int
    /// Pause before each piece, to stand in for decoding time.
    public let tokenDelay: Duration
    /// Pieces to send instead of the echo.
    public let script: [String]?
    private let emitted = Mutex(0)
    private let requests = Mutex<[(messages: [ChatMessage], options: GenerationOptions)]>([])

    public init(name: String = "echo", contextTokens: Int = 4096, tokenDelay: Duration = .zero, script: [String]? = nil) {
        self.name = name
        self.contextTokens = contextTokens
        self.tokenDelay = tokenDelay
        self.script = script
    }

    /// Pieces sent so far over all requests.
    public var emittedPieces: Int { emitted.withLock { $0 } }
    /// The chats it was asked to answer, in order.
    public var receivedChats: [[ChatMessage]] { requests.withLock { $0.map(\.messages) } }
    /// The options each of those chats came with.
    public var receivedOptions: [GenerationOptions] { requests.withLock { $0.map(\.options) } }

    /// About one token per word or punctuation run.
    public func countTokens(_ text: String) -> Int {
        text.split(whereSeparator: { $0.isWhitespace }).reduce(0) { $0 + 1 + $1.count / 6 }
    }

    public func generate(
        _ messages: [ChatMessage], options: GenerationOptions, shouldStop: () -> Bool, emit: (GenerationEvent) -> Void
    ) {
        requests.withLock { $0.append((messages, options)) }
        let all = script ?? Self.echo(messages)
        let promptTokens = messages.reduce(0) { $0 + countTokens($1.content) }
        let clock = ContinuousClock()
        let started = clock.now
        emit(.prefilled(promptTokens: promptTokens, seconds: 0))
        // As the real decoder: cut at max tokens, else the model ended its answer.
        var stopReason: StopReason = all.count >= options.maxTokens ? .maxTokens : .endOfGeneration
        var generated = 0
        for piece in all.prefix(max(0, options.maxTokens)) {
            if tokenDelay > .zero { Thread.sleep(forTimeInterval: Self.seconds(tokenDelay)) }
            if shouldStop() {
                stopReason = .interrupted
                break
            }
            emitted.withLock { $0 += 1 }
            generated += 1
            emit(.text(piece))
        }
        emit(.finished(GenerationSummary(
            promptTokens: promptTokens, generatedTokens: generated, prefillSeconds: 0, decodeSeconds: Self.seconds(clock.now - started),
            decodeEvaluations: max(0, generated - 1), stopReason: stopReason)))
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// "Source [1] says: The lease begins … ." for every source header in the last user message.
    static func echo(_ messages: [ChatMessage]) -> [String] {
        guard let user = messages.last(where: { $0.role == .user }) else { return ["No", "question."] }
        var words: [String] = []
        let lines = user.content.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            guard line.hasPrefix("["), let close = line.firstIndex(of: "]"), Int(line[line.index(after: line.startIndex)..<close]) != nil
            else { continue }
            let number = line[...close]
            let quoted = lines.dropFirst(index + 1).prefix { $0.hasPrefix(">") }.map { $0.dropFirst(2) }.joined(separator: " ")
            let opening = quoted.split(separator: " ").prefix(6).map(String.init)
            words += ["Source", "\(number)", "says:"] + opening + ["…"]
        }
        if words.isEmpty { words = ["The", "sources", "do", "not", "say."] }
        return words.enumerated().map { $0.offset == 0 ? $0.element : " " + $0.element }
    }
}
