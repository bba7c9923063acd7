/// Counts the tokens a piece of text costs the embedding model. The chunker keeps every chunk within
/// the model's input length with it; the daemon counts with the encoder's own WordPiece tokenizer
/// (EncoderTokenCounter), and WordPieceEstimate counts without an encoder.
public protocol TokenCounting: Sendable {
    /// Tokens of `text`, without the [CLS]/[SEP] the model adds around every input.
    func tokenCount(_ text: Substring) -> Int
}
