/// The WordPiece model: each word becomes its longest vocabulary prefix, then the longest
/// continuation piece (`##…`) of the rest, and so on; a word that cannot be covered, or is longer than
/// `maxInputCharactersPerWord` scalars, becomes the unknown token.
struct WordPiece: Sendable {
    /// Every vocabulary entry, as written.
    let tokens: TokenTable
    /// The entries that start with the continuation prefix, without it.
    let continuations: TokenTable
    let unknownID: Int32
    let maxInputCharactersPerWord: Int

    /// Tokenizes one word; `pieces` is scratch space.
    func tokenize<Sink: TokenSink>(
        word: UnsafeBufferPointer<Unicode.Scalar>, pieces: inout [Int32], into sink: inout Sink
    ) {
        guard !word.isEmpty else { return }
        guard word.count <= maxInputCharactersPerWord, let base = word.baseAddress else {
            sink.append(unknownID)
            return
        }
        // Most words are one vocabulary entry.
        if let id = tokens.id(for: word) {
            sink.append(id)
            return
        }
        pieces.removeAll(keepingCapacity: true)
        var start = 0
        while start < word.count {
            let isFirst = start == 0
            var end = min(word.count, start + (isFirst ? tokens.longestKey : continuations.longestKey))
            var found: Int32? = nil
            while end > start {
                let candidate = UnsafeBufferPointer(start: base + start, count: end - start)
                if let id = isFirst ? tokens.id(for: candidate) : continuations.id(for: candidate) {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else {
                sink.append(unknownID)
                return
            }
            pieces.append(id)
            start = end
        }
        for id in pieces { sink.append(id) }
    }
}
