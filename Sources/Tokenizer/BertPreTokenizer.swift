/// The BERT pre-tokeniser: words end at whitespace, and every punctuation scalar is a word by itself.
/// Iterating gives the range of each word of `scalars`, in order.
struct BertPreTokenizer: IteratorProtocol {
    private let scalars: ArraySlice<Unicode.Scalar>
    private var position: Int

    init(_ scalars: ArraySlice<Unicode.Scalar>) {
        self.scalars = scalars
        position = scalars.startIndex
    }

    mutating func next() -> Range<Int>? {
        let end = scalars.endIndex
        while position < end, BertCharacterClass.isSeparator(scalars[position].value) { position += 1 }
        guard position < end else { return nil }
        let start = position
        position += 1
        if BertCharacterClass.isPunctuation(scalars[start].value) { return start..<position }
        while position < end {
            let value = scalars[position].value
            if BertCharacterClass.isSeparator(value) || BertCharacterClass.isPunctuation(value) { break }
            position += 1
        }
        return start..<position
    }
}
