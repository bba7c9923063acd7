/// The byte-level BPE tokenizer of GGUF `gpt2`-model vocabularies (Qwen2.5, SmolLM2, Llama 3),
/// producing the same ids as llama.cpp: special tokens split out first, then the family's
/// pre-tokenizer cuts words, then each word's bytes are merged by rank.
///
/// It takes plain arrays (as stored under `tokenizer.ggml.tokens`, `token_type` and `merges`) so it
/// does not depend on the GGUF reader. Immutable after `init`, so safe to share between threads.
public final class ByteLevelBPETokenizer: Sendable {
    /// The pre-tokenizer chosen at load time.
    public let preTokenizer: PreTokenizer

    /// GGUF token types (`tokenizer.ggml.token_type`).
    enum TokenType: Int32 {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    /// A special token's id and text, matched in input before pre-tokenization.
    private struct SpecialToken: Sendable {
        let id: Int32
        let bytes: [UInt8]
        /// Control and unknown tokens are matched only with `parseSpecial`; user-defined ones always
        /// (as llama.cpp and Hugging Face do: they are part of the text vocabulary).
        let needsParseSpecial: Bool
    }

    /// What merging a pair of adjacent symbols gives, and how early it applies.
    private struct Merge: Sendable {
        let rank: Int32
        let result: Int32
    }

    private let tokens: [String]
    /// The file's token types, with llama.cpp's corrections by text (see `endOfGenerationTexts`).
    private let types: [Int32]
    /// Exact (byte-equal) text to id, as llama.cpp's `std::string` keys: Swift's `String` equality
    /// would merge canonically equivalent spellings.
    private let idsByText: TokenTable
    /// Symbols are token ids, plus ids from `tokens.count` up for merge operands or results that are
    /// not tokens themselves (llama.cpp merges strings, whether or not the vocabulary has them).
    private let extraSymbols: [String]
    /// Keyed by `left << 32 | right` (symbol ids).
    private let merges: [UInt64: Merge]
    /// The symbol each byte starts as.
    private let byteSymbols: [Int32]
    /// Longest first: llama.cpp splits the text on each special token in turn, longest first.
    private let specialTokens: [SpecialToken]
    /// Llama 3 style: a word that is itself a token is not merged (it could merge differently).
    private let ignoresMergesForWholeTokens: Bool

    /// Builds the tokenizer from a GGUF vocabulary.
    /// - Parameters:
    ///   - tokens: token texts in the byte-level alphabet, index = id.
    ///   - tokenTypes: one GGUF token type per token (1 normal … 6 byte).
    ///   - merges: `"left right"` pairs, highest priority first.
    public init(tokens: [String], tokenTypes: [Int32], merges: [String], preTokenizer: PreTokenizer)
        throws(TokenizerError)
    {
        guard !tokens.isEmpty else {
            throw .invalidVocabulary(reason: "it has no tokens")
        }
        guard tokens.count < Int(Int32.max) / 2, merges.count < Int(Int32.max) else {
            throw .invalidVocabulary(reason: "it has \(tokens.count) tokens and \(merges.count) merges, too many")
        }
        guard tokenTypes.count == tokens.count else {
            throw .invalidVocabulary(
                reason: "it has \(tokens.count) tokens but \(tokenTypes.count) token types")
        }
        self.tokens = tokens
        self.preTokenizer = preTokenizer
        ignoresMergesForWholeTokens = preTokenizer == .llamaBPE

        var idsByText = TokenTable(expectedCount: tokens.count)
        for (id, text) in tokens.enumerated() {
            idsByText.insert(text.unicodeScalars, id: Int32(id))  // a repeated text: its last id wins
        }
        self.idsByText = idsByText

        // llama.cpp ends generation on these texts and treats them as control tokens even where
        // the file says otherwise (Qwen2.5's "</s>", 128247, is a normal token in the file).
        var types = tokenTypes
        var endOfGeneration: Set<Int32> = []
        for text in Self.endOfGenerationTexts {
            if let id = idsByText.id(for: text) {
                endOfGeneration.insert(id)
                types[Int(id)] = TokenType.control.rawValue
            }
        }
        for aliases in Self.fillInTheMiddleTexts {
            if let id = aliases.lazy.compactMap({ idsByText.id(for: $0) }).first {
                endOfGeneration.insert(id)
                if TokenType(rawValue: types[Int(id)]) != .control {
                    types[Int(id)] = TokenType.control.rawValue
                }
            }
        }
        self.types = types
        endOfGenerationIDs = endOfGeneration

        var extraSymbols: [String] = []
        var extraIDs = TokenTable(expectedCount: 16)
        func symbol(for text: UnsafeBufferPointer<Unicode.Scalar>) -> Int32 {
            if let id = idsByText.id(for: text) ?? extraIDs.id(for: text) {
                return id
            }
            let id = Int32(tokens.count + extraSymbols.count)
            var view = String.UnicodeScalarView()
            view.append(contentsOf: text)
            extraSymbols.append(String(view))
            extraIDs.insert(text, id: id)
            return id
        }
        byteSymbols = ByteLevelAlphabet.scalars.map { scalar in
            [scalar].withUnsafeBufferPointer { symbol(for: $0) }
        }

        var mergeTable: [UInt64: Merge] = [:]
        mergeTable.reserveCapacity(merges.count)
        var scalars: [Unicode.Scalar] = []
        for (rank, line) in merges.enumerated() {
            scalars.removeAll(keepingCapacity: true)
            scalars.append(contentsOf: line.unicodeScalars)
            // Split at the first space after the first character, so that a merge of " " parses.
            guard let space = scalars.dropFirst().firstIndex(of: " ") else {
                continue
            }
            let leftSymbol = scalars.withUnsafeBufferPointer {
                symbol(for: UnsafeBufferPointer(rebasing: $0[..<space]))
            }
            let rightSymbol = scalars.withUnsafeBufferPointer {
                symbol(for: UnsafeBufferPointer(rebasing: $0[(space + 1)...]))
            }
            let key = UInt64(UInt32(leftSymbol)) << 32 | UInt64(UInt32(rightSymbol))
            if mergeTable[key] == nil {  // the first (highest) rank of a repeated pair counts
                scalars.remove(at: space)
                let result = scalars.withUnsafeBufferPointer { symbol(for: $0) }
                mergeTable[key] = Merge(rank: Int32(rank), result: result)
            }
        }
        self.merges = mergeTable
        self.extraSymbols = extraSymbols

        var specials: [SpecialToken] = []
        for (id, text) in tokens.enumerated() where !text.isEmpty {
            switch TokenType(rawValue: types[id]) {
            case .control, .unknown:
                specials.append(SpecialToken(id: Int32(id), bytes: Array(text.utf8), needsParseSpecial: true))
            case .userDefined:
                specials.append(SpecialToken(id: Int32(id), bytes: Array(text.utf8), needsParseSpecial: false))
            default:
                break
            }
        }
        specialTokens = specials.sorted { a, b in
            a.bytes.count != b.bytes.count ? a.bytes.count > b.bytes.count : a.id < b.id
        }
        // Builds the code point table now (about 20 ms, once per process) rather than in the first encode.
        _ = CodepointClass.of(0)
    }

    /// Tokens that end generation as llama.cpp finds them by their text (`<|im_end|>`,
    /// `<|endoftext|>`, `</s>`, the fill-in-the-middle pad, repo and file-separator tokens…). The
    /// GGUF `eos_token_id` (and `eot_token_id`) belong to the set too; the caller adds them.
    public let endOfGenerationIDs: Set<Int32>

    /// Texts llama.cpp (as vendored by llama-cpp-python 0.3.36) makes end-of-generation control
    /// tokens wherever they occur in a vocabulary.
    static let endOfGenerationTexts = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
        "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
        "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
        "<\u{FF5C}end\u{2581}of\u{2581}sentence\u{FF5C}>", "[e~[",
    ]

    /// Fill-in-the-middle pad, repository and file-separator tokens, each by its aliases: llama.cpp
    /// takes the first it finds as a control token that ends generation.
    static let fillInTheMiddleTexts = [
        ["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"],
        ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"],
        ["<|file_sep|>"],
    ]

    /// The number of token ids (the model's vocabulary size).
    public var vocabularySize: Int { tokens.count }

    /// The id of a token given in the vocabulary's own spelling (e.g. `"<|im_end|>"`, `"Ġthe"`).
    public func id(of token: String) -> Int32? {
        idsByText.id(for: token)
    }

    /// Whether `id` is a control or unknown token: text the model reads but a reader should not see
    /// (e.g. `<|im_end|>`). Unused and out-of-range ids count as control too.
    public func isControl(_ id: Int32) -> Bool {
        guard id >= 0, Int(id) < types.count else {
            return true
        }
        switch TokenType(rawValue: types[Int(id)]) {
        case .control, .unknown, .unused:
            return true
        default:
            return false
        }
    }

    /// The bytes of one token: normal tokens are decoded from the byte-level alphabet; control,
    /// unknown and user-defined tokens give their text as written; unused and out-of-range ids give
    /// nothing.
    public func tokenBytes(_ id: Int32) -> [UInt8] {
        guard id >= 0, Int(id) < tokens.count else {
            return []
        }
        let text = tokens[Int(id)]
        switch TokenType(rawValue: types[Int(id)]) {
        case .control, .unknown, .userDefined:
            return Array(text.utf8)
        case .unused:
            return []
        case .normal, .byte, nil:
            return ByteLevelAlphabet.decode(text)
        }
    }

    /// The text of a sequence of tokens, control tokens included; invalid UTF-8 becomes U+FFFD.
    public func decode(_ ids: [Int32]) -> String {
        var bytes: [UInt8] = []
        for id in ids {
            bytes.append(contentsOf: tokenBytes(id))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Token ids of document text. Control tokens written in it (`<|im_start|>`) stay plain text;
    /// user-defined tokens (Qwen's `<tool_call>`) are matched, as llama.cpp and Hugging Face do.
    public func encode(_ text: String) -> [Int32] {
        encode(text, parseSpecial: false)
    }

    /// Token ids of `text`. With `parseSpecial`, control tokens written in the text become their ids:
    /// only for text Sotto itself writes (chat templates), never for documents or user input.
    /// No BOS or EOS is added.
    public func encode(_ text: String, parseSpecial: Bool) -> [Int32] {
        let bytes = Array(text.utf8)
        var output: [Int32] = []
        output.reserveCapacity(bytes.count / 3 + 1)
        var session = MergeSession()
        for fragment in partition(bytes, parseSpecial: parseSpecial) {
            switch fragment {
            case let .token(id):
                output.append(id)
            case let .text(range):
                encodeText(bytes[range], session: &session, into: &output)
            }
        }
        return output
    }

    // MARK: - Special tokens

    private enum Fragment {
        case text(Range<Int>)
        case token(Int32)
    }

    /// Splits `bytes` at special tokens the way llama.cpp does: for each special token, longest
    /// first, every remaining text fragment is cut at each of its occurrences, left to right.
    private func partition(_ bytes: [UInt8], parseSpecial: Bool) -> [Fragment] {
        guard !bytes.isEmpty else {
            return []
        }
        var fragments: [Fragment] = [.text(0..<bytes.count)]
        for special in specialTokens where parseSpecial || !special.needsParseSpecial {
            var next: [Fragment] = []
            next.reserveCapacity(fragments.count)
            var changed = false
            for fragment in fragments {
                guard case var .text(range) = fragment else {
                    next.append(fragment)
                    continue
                }
                while let match = firstOccurrence(of: special.bytes, in: bytes, range: range) {
                    changed = true
                    if match > range.lowerBound {
                        next.append(.text(range.lowerBound..<match))
                    }
                    next.append(.token(special.id))
                    range = (match + special.bytes.count)..<range.upperBound
                }
                if !range.isEmpty {
                    next.append(.text(range))
                }
            }
            if changed {
                fragments = next
            }
        }
        return fragments
    }

    private func firstOccurrence(of needle: [UInt8], in haystack: [UInt8], range: Range<Int>) -> Int? {
        guard let first = needle.first, needle.count <= range.count else {
            return nil
        }
        var position = range.lowerBound
        let last = range.upperBound - needle.count
        while position <= last {
            if haystack[position] == first {
                var offset = 1
                while offset < needle.count && haystack[position + offset] == needle[offset] {
                    offset += 1
                }
                if offset == needle.count {
                    return position
                }
            }
            position += 1
        }
        return nil
    }

    // MARK: - Words and merges

    /// Buffers reused from word to word within one `encode` call.
    private struct MergeSession {
        var codepoints: [UInt32] = []
        var words: [Range<Int>] = []
        var wordBytes: [UInt8] = []
        var wordScalars: [Unicode.Scalar] = []
        var symbols: [Int32] = []
        var previous: [Int32] = []
        var next: [Int32] = []
        var queue = PairQueue()
    }

    private func encodeText(_ bytes: ArraySlice<UInt8>, session: inout MergeSession, into output: inout [Int32]) {
        session.codepoints.removeAll(keepingCapacity: true)
        // The fragment is valid UTF-8: it comes from a String, cut only at special tokens' edges.
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            session.codepoints.append(scalar.value)
        }
        session.words.removeAll(keepingCapacity: true)
        preTokenizer.split(session.codepoints, into: &session.words)
        for word in session.words {
            session.wordBytes.removeAll(keepingCapacity: true)
            for position in word {
                appendUTF8(session.codepoints[position], to: &session.wordBytes)
            }
            mergeWord(session: &session, into: &output)
        }
    }

    private func appendUTF8(_ value: UInt32, to bytes: inout [UInt8]) {
        switch value {
        case 0..<0x80:
            bytes.append(UInt8(value))
        case 0x80..<0x800:
            bytes.append(UInt8(0xC0 | value >> 6))
            bytes.append(UInt8(0x80 | value & 0x3F))
        case 0x800..<0x1_0000:
            bytes.append(UInt8(0xE0 | value >> 12))
            bytes.append(UInt8(0x80 | value >> 6 & 0x3F))
            bytes.append(UInt8(0x80 | value & 0x3F))
        default:
            bytes.append(UInt8(0xF0 | value >> 18))
            bytes.append(UInt8(0x80 | value >> 12 & 0x3F))
            bytes.append(UInt8(0x80 | value >> 6 & 0x3F))
            bytes.append(UInt8(0x80 | value & 0x3F))
        }
    }

    /// BPE over `session.wordBytes`: repeatedly merge the adjacent pair of lowest rank (leftmost on
    /// ties), as llama.cpp does with a priority queue over a linked list of symbols.
    private func mergeWord(session: inout MergeSession, into output: inout [Int32]) {
        let count = session.wordBytes.count
        if count == 0 {
            return
        }
        if ignoresMergesForWholeTokens {
            session.wordScalars.removeAll(keepingCapacity: true)
            for byte in session.wordBytes {
                session.wordScalars.append(ByteLevelAlphabet.scalars[Int(byte)])
            }
            if let id = session.wordScalars.withUnsafeBufferPointer({ idsByText.id(for: $0) }) {
                output.append(id)
                return
            }
        }
        if count == 1 {
            emit(byteSymbols[Int(session.wordBytes[0])], into: &output)
            return
        }
        session.symbols.removeAll(keepingCapacity: true)
        session.previous.removeAll(keepingCapacity: true)
        session.next.removeAll(keepingCapacity: true)
        for (index, byte) in session.wordBytes.enumerated() {
            session.symbols.append(byteSymbols[Int(byte)])
            session.previous.append(Int32(index - 1))
            session.next.append(index + 1 < count ? Int32(index + 1) : -1)
        }
        session.queue.removeAll()
        for left in 0..<(count - 1) {
            enqueuePair(left: left, session: &session)
        }
        while let pair = session.queue.popMin() {
            let left = Int(pair.left)
            let right = Int(session.next[left])
            // Skip pairs made stale by an earlier merge.
            guard session.symbols[left] == pair.leftSymbol, right >= 0, Int32(right) == pair.right,
                  session.symbols[right] == pair.rightSymbol
            else {
                continue
            }
            session.symbols[left] = pair.result
            session.symbols[right] = -1
            let after = session.next[right]
            session.next[left] = after
            if after >= 0 {
                session.previous[Int(after)] = Int32(left)
            }
            if session.previous[left] >= 0 {
                enqueuePair(left: Int(session.previous[left]), session: &session)
            }
            enqueuePair(left: left, session: &session)
        }
        var index = 0
        while index >= 0 {
            emit(session.symbols[index], into: &output)
            index = Int(session.next[index])
        }
    }

    private func enqueuePair(left: Int, session: inout MergeSession) {
        let right = session.next[left]
        guard right >= 0 else {
            return
        }
        let leftSymbol = session.symbols[left]
        let rightSymbol = session.symbols[Int(right)]
        let key = UInt64(UInt32(leftSymbol)) << 32 | UInt64(UInt32(rightSymbol))
        guard let merge = merges[key] else {
            return
        }
        session.queue.insert(PairQueue.Pair(
            rank: merge.rank, left: Int32(left), right: right,
            leftSymbol: leftSymbol, rightSymbol: rightSymbol, result: merge.result))
    }

    /// A symbol that is not a token falls back to the tokens of its single characters, as llama.cpp
    /// does (it only happens with merges whose results are missing from the vocabulary).
    private func emit(_ symbol: Int32, into output: inout [Int32]) {
        if Int(symbol) < tokens.count {
            output.append(symbol)
            return
        }
        let text = extraSymbols[Int(symbol) - tokens.count]
        for byte in text.utf8 where byte < 0x80 {
            if let id = [Unicode.Scalar(byte)].withUnsafeBufferPointer({ idsByText.id(for: $0) }) {
                output.append(id)
            }
        }
    }
}
