import GGUF
public import Tokenizer

/// The model's tokenizer and the special tokens generation needs (BOS, end-of-generation ids).
public struct DecoderVocabulary: Sendable {
    public let tokenizer: ByteLevelBPETokenizer
    /// Prepended to every prompt when the file asks for it (`tokenizer.ggml.add_bos_token`).
    public let bosTokenID: Int32?
    public let addsBOS: Bool
    public let eosTokenID: Int32?
    /// Tokens that end a generation: EOS, EOT and the end texts llama.cpp treats as such.
    public let endOfGenerationIDs: Set<Int32>

    init(file: GGUFFile, name: String) throws(GenerationError) {
        func fail(_ reason: String) -> GenerationError { .unsupportedModel(file: name, reason: reason) }
        let model = file.string(DecoderMetadataKeys.tokenizerModel)
        guard model == "gpt2" else {
            throw fail("tokenizer \"\(model ?? "none")\" is not supported (byte-level BPE, \"gpt2\", is)")
        }
        guard let tokens = file.strings(DecoderMetadataKeys.tokens), !tokens.isEmpty else {
            throw fail("\(DecoderMetadataKeys.tokens) is missing")
        }
        guard let merges = file.strings(DecoderMetadataKeys.merges) else {
            throw fail("\(DecoderMetadataKeys.merges) is missing")
        }
        let types = file.integers(DecoderMetadataKeys.tokenTypes) ?? Array(repeating: 1, count: tokens.count)
        guard types.count == tokens.count else {
            throw fail("\(DecoderMetadataKeys.tokenTypes) has \(types.count) entries for \(tokens.count) tokens")
        }
        let pre: ByteLevelBPETokenizer.PreTokenizer
        switch file.string(DecoderMetadataKeys.tokenizerPre) ?? "default" {
        case "qwen2": pre = .qwen2
        case "smollm": pre = .smollm
        case "llama-bpe", "llama3": pre = .llamaBPE
        case "gpt2", "default": pre = .gpt2
        case let other: throw fail("pre-tokenizer \"\(other)\" is not supported (qwen2, smollm, llama-bpe, gpt2 are)")
        }
        do {
            tokenizer = try ByteLevelBPETokenizer(
                tokens: tokens, tokenTypes: types.map { Int32(truncatingIfNeeded: $0) }, merges: merges, preTokenizer: pre)
        } catch {
            throw fail("its vocabulary cannot be read: \(error.message)")
        }
        func tokenID(_ key: String) -> Int32? {
            guard let id = file.integer(key), id >= 0, id < tokens.count else { return nil }
            return Int32(id)
        }
        bosTokenID = tokenID(DecoderMetadataKeys.bosTokenID)
        eosTokenID = tokenID(DecoderMetadataKeys.eosTokenID)
        // As llama.cpp: the file's flag wins; without it only the Llama-3 family adds BOS.
        addsBOS = (file.bool(DecoderMetadataKeys.addBOS) ?? (pre == .llamaBPE)) && bosTokenID != nil
        // The tokenizer knows llama.cpp's end texts (<|im_end|>, <|endoftext|>, the FIM markers, ...).
        var end = tokenizer.endOfGenerationIDs
        for key in [DecoderMetadataKeys.eosTokenID, DecoderMetadataKeys.eotTokenID, DecoderMetadataKeys.eomTokenID] {
            if let id = tokenID(key) { end.insert(id) }
        }
        endOfGenerationIDs = end
    }

    /// Token ids of plain text (special-token look-alikes stay text), with BOS when the model wants it.
    public func encodePrompt(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        if addsBOS, let bos = bosTokenID { ids.append(bos) }
        ids += tokenizer.encode(text, parseSpecial: false)
        return ids
    }
}
