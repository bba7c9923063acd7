/// BERT's WordPiece tokenizer, giving the same ids as the Hugging Face `tokenizers` library does for the
/// same tokenizer.json: added tokens → BERT normaliser → BERT pre-tokeniser → WordPiece → `[CLS] … [SEP]`.
///
/// Load it with `init(tokenizerJSON:)` (or `init(vocabTXT:lowercase:)`); a loaded tokenizer is
/// immutable and may be shared between threads.
public struct WordPieceTokenizer: Sendable {
    let normalizer: BertNormalizer?
    let addedTokens: AddedTokens
    /// Added tokens matched against normalised text (none in BERT's own files).
    let normalizedAddedTokens: AddedTokens
    let model: WordPiece
    let template: SpecialTokensTemplate
    let tokensByID: [String?]

    /// Number of ids: one more than the largest id in the vocabulary (the embedding matrix's rows).
    public let vocabularySize: Int
    public let clsID: Int32
    public let sepID: Int32
    public let padID: Int32
    public let unkID: Int32
    /// The `truncation.max_length` the file was saved with, if any. `encode` does not apply it by
    /// itself: callers pass the limit they want (e.g. a sentence encoder's 256).
    public let truncationMaxLength: Int?

    /// Token ids for `text`.
    ///
    /// - Parameters:
    ///   - maxLength: keep at most this many ids in all: the first `maxLength - 2` WordPiece ids, then
    ///     the specials (like the reference's `truncation=True, max_length=…`). As in the reference, a
    ///     limit of 0, or one too small to hold the specials, does not truncate.
    ///   - addSpecialTokens: wrap the ids in the template (`[CLS] … [SEP]`).
    public func encode(_ text: String, maxLength: Int? = nil, addSpecialTokens: Bool = true) -> [Int32] {
        encode(text[...], maxLength: maxLength, addSpecialTokens: addSpecialTokens)
    }

    /// Token ids for a slice of a larger text; see `encode(_:maxLength:addSpecialTokens:)`.
    public func encode(_ text: Substring, maxLength: Int? = nil, addSpecialTokens: Bool = true) -> [Int32] {
        let specials = addSpecialTokens ? template.count : 0
        var limit = Int.max
        if let maxLength, maxLength > 0, maxLength >= specials {
            limit = maxLength - specials
        }
        var collector = TokenCollector(limit: limit)
        collector.ids.reserveCapacity(min(limit, text.utf8.count / 3 + 8) + specials)
        if addSpecialTokens { collector.ids.append(contentsOf: template.prefix) }
        collector.limit = limit == Int.max ? limit : collector.ids.count + limit
        if limit > 0 { tokenize(text, into: &collector) }
        if addSpecialTokens { collector.ids.append(contentsOf: template.suffix) }
        return collector.ids
    }

    /// Number of WordPiece ids in `text`, without specials: what `encode(text, addSpecialTokens: false)`
    /// would return, counted without building it.
    public func tokenCount(_ text: Substring) -> Int {
        var counter = TokenCounter()
        tokenize(text, into: &counter)
        return counter.count
    }

    /// The vocabulary entry for `id` (e.g. `"##ing"`), or nil when there is none.
    public func token(for id: Int32) -> String? {
        guard id >= 0, Int(id) < tokensByID.count else { return nil }
        return tokensByID[Int(id)]
    }

    // MARK: - Pipeline

    private func tokenize<Sink: TokenSink>(_ text: Substring, into sink: inout Sink) {
        var raw: [Unicode.Scalar] = []
        raw.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars { raw.append(scalar) }
        var normalized: [Unicode.Scalar] = []
        normalized.reserveCapacity(raw.count + 16)
        var pieces: [Int32] = []
        addedTokens.split(raw) { piece in
            switch piece {
            case let .token(id):
                sink.append(id)
            case let .text(range):
                normalized.removeAll(keepingCapacity: true)
                if let normalizer {
                    normalizer.normalize(raw[range], into: &normalized)
                } else {
                    normalized.append(contentsOf: raw[range])
                }
                normalizedAddedTokens.split(normalized) { piece in
                    switch piece {
                    case let .token(id):
                        sink.append(id)
                    case let .text(range):
                        tokenizeWords(normalized[range], pieces: &pieces, into: &sink)
                    }
                    return !sink.isFull
                }
            }
            return !sink.isFull
        }
    }

    private func tokenizeWords<Sink: TokenSink>(
        _ scalars: ArraySlice<Unicode.Scalar>, pieces: inout [Int32], into sink: inout Sink
    ) {
        scalars.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var words = BertPreTokenizer(scalars)
            while !sink.isFull, let word = words.next() {
                let wordBuffer = UnsafeBufferPointer(start: base + (word.lowerBound - scalars.startIndex), count: word.count)
                model.tokenize(word: wordBuffer, pieces: &pieces, into: &sink)
            }
        }
    }
}
