/// Reads the parts of a Hugging Face tokenizer.json that a BERT WordPiece tokenizer uses, and refuses
/// the parts it does not implement rather than tokenizing differently from the reference.
struct TokenizerJSONReader {
    struct Model {
        var vocabulary: [(token: [Unicode.Scalar], id: Int32)]
        var unknownToken: String
        var continuationPrefix: String
        var maxInputCharactersPerWord: Int
    }

    let path: String
    let root: JSONValue

    private func invalid(_ field: String, _ reason: String) -> TokenizerError {
        .invalidField(path: path, field: field, reason: reason)
    }

    private func id(_ value: JSONValue?, field: String) throws(TokenizerError) -> Int32 {
        guard let id = value?.intValue, id >= 0, id <= WordPieceTokenizer.maximumID else {
            throw invalid(field, "must be a token id between 0 and \(WordPieceTokenizer.maximumID)")
        }
        return Int32(id)
    }

    private func bool(_ object: JSONValue, _ key: String, default value: Bool, field: String) throws(TokenizerError) -> Bool {
        guard let member = object[key], !member.isNull else { return value }
        guard let flag = member.boolValue else { throw invalid("\(field).\(key)", "must be true or false") }
        return flag
    }

    func model() throws(TokenizerError) -> Model {
        guard let model = root["model"], model.objectMembers != nil else { throw invalid("model", "is missing") }
        let type = model["type"]?.stringValue ?? "WordPiece"
        guard type == "WordPiece" else { throw .unsupported(path: path, component: "model", type: type) }
        guard let members = model["vocab"]?.objectMembers else {
            throw invalid("model.vocab", "must be an object of token → id")
        }
        var vocabulary: [(token: [Unicode.Scalar], id: Int32)] = []
        vocabulary.reserveCapacity(members.count)
        for (token, value) in members {
            vocabulary.append((Array(token.unicodeScalars), try id(value, field: "model.vocab[\"\(token)\"]")))
        }
        let unknown = model["unk_token"]?.stringValue ?? "[UNK]"
        let prefix = model["continuing_subword_prefix"]?.stringValue ?? "##"
        let maxChars = model["max_input_chars_per_word"]?.intValue ?? 100
        guard maxChars > 0 else { throw invalid("model.max_input_chars_per_word", "must be positive") }
        return Model(
            vocabulary: vocabulary, unknownToken: unknown, continuationPrefix: prefix,
            maxInputCharactersPerWord: maxChars
        )
    }

    /// nil when the file has no normaliser.
    func normalizer() throws(TokenizerError) -> BertNormalizer? {
        guard let normalizer = root["normalizer"], !normalizer.isNull else { return nil }
        let type = normalizer["type"]?.stringValue ?? "?"
        guard type == "BertNormalizer" else { throw .unsupported(path: path, component: "normalizer", type: type) }
        let field = "normalizer"
        let lowercase = try bool(normalizer, "lowercase", default: true, field: field)
        return BertNormalizer(
            cleanText: try bool(normalizer, "clean_text", default: true, field: field),
            handleChineseCharacters: try bool(normalizer, "handle_chinese_chars", default: true, field: field),
            // null means "strip accents when lowercasing", as in the original BERT.
            stripAccents: try bool(normalizer, "strip_accents", default: lowercase, field: field),
            lowercase: lowercase
        )
    }

    func checkPreTokenizer() throws(TokenizerError) {
        guard let preTokenizer = root["pre_tokenizer"], !preTokenizer.isNull else {
            throw .unsupported(path: path, component: "pre_tokenizer", type: "null")
        }
        let type = preTokenizer["type"]?.stringValue ?? "?"
        guard type == "BertPreTokenizer" else {
            throw .unsupported(path: path, component: "pre_tokenizer", type: type)
        }
    }

    /// nil when the file has no post-processor (then no specials are added).
    func template() throws(TokenizerError) -> SpecialTokensTemplate? {
        guard let processor = root["post_processor"], !processor.isNull else { return nil }
        let type = processor["type"]?.stringValue ?? "?"
        switch type {
        case "BertProcessing":
            guard let cls = processor["cls"]?.arrayValue, cls.count == 2,
                  let sep = processor["sep"]?.arrayValue, sep.count == 2 else {
                throw invalid("post_processor", "must give cls and sep as [token, id]")
            }
            return SpecialTokensTemplate(
                prefix: [try id(cls[1], field: "post_processor.cls")],
                suffix: [try id(sep[1], field: "post_processor.sep")]
            )
        case "TemplateProcessing":
            return try singleTemplate(processor)
        default:
            throw .unsupported(path: path, component: "post_processor", type: type)
        }
    }

    private func singleTemplate(_ processor: JSONValue) throws(TokenizerError) -> SpecialTokensTemplate {
        guard let items = processor["single"]?.arrayValue else {
            throw invalid("post_processor.single", "must be a list of template items")
        }
        var template = SpecialTokensTemplate(prefix: [], suffix: [])
        var sawSequence = false
        for item in items {
            if let sequence = item["Sequence"] {
                guard !sawSequence, sequence["id"]?.stringValue == "A" else {
                    throw invalid("post_processor.single", "must hold the sequence $A exactly once")
                }
                sawSequence = true
            } else if let special = item["SpecialToken"], let name = special["id"]?.stringValue {
                guard let ids = processor["special_tokens"]?[name]?["ids"]?.arrayValue else {
                    throw invalid("post_processor.special_tokens", "has no ids for \(name)")
                }
                for value in ids {
                    let tokenID = try id(value, field: "post_processor.special_tokens.\(name)")
                    if sawSequence { template.suffix.append(tokenID) } else { template.prefix.append(tokenID) }
                }
            } else {
                throw invalid("post_processor.single", "has an item that is neither Sequence nor SpecialToken")
            }
        }
        guard sawSequence else { throw invalid("post_processor.single", "must hold the sequence $A") }
        return template
    }

    func addedTokens() throws(TokenizerError) -> [AddedToken] {
        guard let list = root["added_tokens"], !list.isNull else { return [] }
        guard let entries = list.arrayValue else { throw invalid("added_tokens", "must be a list") }
        var tokens: [AddedToken] = []
        for (index, entry) in entries.enumerated() {
            let field = "added_tokens[\(index)]"
            guard let content = entry["content"]?.stringValue else { throw invalid(field, "has no content") }
            let isSpecial = try bool(entry, "special", default: false, field: field)
            tokens.append(AddedToken(
                content: Array(content.unicodeScalars),
                id: try id(entry["id"], field: "\(field).id"),
                singleWord: try bool(entry, "single_word", default: false, field: field),
                stripLeft: try bool(entry, "lstrip", default: false, field: field),
                stripRight: try bool(entry, "rstrip", default: false, field: field),
                isNormalized: try bool(entry, "normalized", default: !isSpecial, field: field)
            ))
        }
        return tokens
    }

    /// nil when the file sets no padding id.
    func padID() throws(TokenizerError) -> Int32? {
        guard let padding = root["padding"], !padding.isNull, let value = padding["pad_id"] else { return nil }
        return try id(value, field: "padding.pad_id")
    }

    func truncationMaxLength() throws(TokenizerError) -> Int? {
        guard let truncation = root["truncation"], !truncation.isNull else { return nil }
        guard let length = truncation["max_length"]?.intValue, length >= 0 else {
            throw invalid("truncation.max_length", "must be a non-negative integer")
        }
        return length
    }
}
