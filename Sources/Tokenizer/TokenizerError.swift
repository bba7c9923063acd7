/// Why a tokenizer could not be loaded. Text itself never fails to tokenize: unknown pieces become
/// the unknown token, as in the reference implementation.
public enum TokenizerError: Error, Sendable, Equatable {
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// The file is not valid JSON (or not valid UTF-8); `offset` is a byte offset into it.
    case malformedJSON(path: String, offset: Int, reason: String)
    /// A field is missing or has the wrong type or value.
    case invalidField(path: String, field: String, reason: String)
    /// The file asks for a component this implementation does not provide.
    case unsupported(path: String, component: String, type: String)
    /// A token the tokenizer needs is not in the vocabulary.
    case missingToken(path: String, token: String)
    /// A byte-level BPE vocabulary (token, type and merge arrays, as read from a GGUF file) is unusable.
    case invalidVocabulary(reason: String)

    /// What went wrong and what to do about it.
    public var message: String {
        switch self {
        case let .unreadable(path, reason):
            return "cannot read tokenizer file \(path): \(reason). Check the path, or fetch the model again "
                + "with Scripts/fetch-models."
        case let .malformedJSON(path, offset, reason):
            return "\(path) is not valid JSON (byte \(offset): \(reason)). The file is damaged; fetch the model "
                + "again with Scripts/fetch-models."
        case let .invalidField(path, field, reason):
            return "\(path): field \(field) \(reason). The file does not describe a WordPiece tokenizer that "
                + "Sotto can load."
        case let .unsupported(path, component, type):
            return "\(path): unsupported \(component) type \"\(type)\". Sotto's WordPiece tokenizer reads "
                + "BertNormalizer, BertPreTokenizer, WordPiece and BertProcessing/TemplateProcessing; use a "
                + "BERT-family model."
        case let .missingToken(path, token):
            return "\(path): the vocabulary has no \(token) token, which a BERT tokenizer needs. Use the "
                + "model's own tokenizer.json or vocab.txt."
        case let .invalidVocabulary(reason):
            return "the model's BPE vocabulary is unusable: \(reason). The GGUF file is damaged or was "
                + "converted badly; fetch it again with Scripts/fetch-models."
        }
    }
}
