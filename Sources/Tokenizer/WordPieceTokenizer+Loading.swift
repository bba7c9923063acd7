public import Foundation

extension WordPieceTokenizer {
    /// Ids above this are refused: a vocabulary that large is a damaged file, not a model.
    static let maximumID = 10_000_000

    /// Loads a Hugging Face tokenizer.json describing a BERT WordPiece tokenizer: `BertNormalizer`,
    /// `BertPreTokenizer`, a `WordPiece` model, `BertProcessing` or `TemplateProcessing`, and
    /// `added_tokens`. Anything else is refused with `TokenizerError.unsupported`.
    public init(tokenizerJSON url: URL) throws(TokenizerError) {
        let path = url.path
        let root: JSONValue
        do {
            root = try JSONParser.parse(try Self.read(url))
        } catch let failure as JSONParser.Failure {
            throw .malformedJSON(path: path, offset: failure.offset, reason: failure.reason)
        } catch let error as TokenizerError {
            throw error
        } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
        try self.init(reader: TokenizerJSONReader(path: path, root: root))
    }

    /// Loads a BERT `vocab.txt` (one token a line, the line number being its id) with the settings of
    /// the reference's `BertWordPieceTokenizer`: clean text, CJK splitting, accents stripped when
    /// lowercasing, `[CLS] … [SEP]`, and the usual special tokens recognised in the input.
    public init(vocabTXT url: URL, lowercase: Bool = true) throws(TokenizerError) {
        let path = url.path
        let bytes: [UInt8]
        do {
            bytes = try Self.read(url)
        } catch let error as TokenizerError {
            throw error
        } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
        var entries: [(token: [Unicode.Scalar], id: Int32)] = []
        var lineStart = 0
        var lineNumber = 0
        while lineStart < bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: 0x0A) ?? bytes.count
            guard let line = String(validating: bytes[lineStart..<lineEnd], as: UTF8.self) else {
                throw .invalidField(path: path, field: "line \(lineNumber + 1)", reason: "is not valid UTF-8")
            }
            // The reference trims trailing whitespace (and so the \r of CRLF files) from each line.
            var scalars = Array(line.unicodeScalars)
            while let last = scalars.last, BertCharacterClass.isSeparator(last.value) { scalars.removeLast() }
            guard lineNumber <= Self.maximumID else {
                throw .invalidField(path: path, field: "vocabulary", reason: "has more than \(Self.maximumID) lines")
            }
            entries.append((scalars, Int32(lineNumber)))
            lineNumber += 1
            lineStart = lineEnd + 1
        }
        var lookup = TokenTable(expectedCount: entries.count)
        for (token, id) in entries { lookup.insert(token, id: id) }
        func id(_ token: String) throws(TokenizerError) -> Int32 {
            guard let id = lookup.id(for: token) else { throw .missingToken(path: path, token: token) }
            return id
        }
        let cls = try id("[CLS]")
        let sep = try id("[SEP]")
        let added = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].compactMap { token -> AddedToken? in
            lookup.id(for: token).map { AddedToken(content: Array(token.unicodeScalars), id: $0) }
        }
        try self.init(
            path: path,
            vocabulary: entries,
            normalizer: BertNormalizer(stripAccents: lowercase, lowercase: lowercase),
            unknownToken: "[UNK]",
            continuationPrefix: "##",
            maxInputCharactersPerWord: 100,
            template: SpecialTokensTemplate(prefix: [cls], suffix: [sep]),
            addedTokens: added,
            padID: try id("[PAD]"),
            truncationMaxLength: nil
        )
    }

    private init(reader: TokenizerJSONReader) throws(TokenizerError) {
        let model = try reader.model()
        let normalizer = try reader.normalizer()
        try reader.checkPreTokenizer()
        let vocabulary = model.vocabulary
        let template = try reader.template()
        let added = try reader.addedTokens()
        try self.init(
            path: reader.path,
            vocabulary: vocabulary,
            normalizer: normalizer,
            unknownToken: model.unknownToken,
            continuationPrefix: model.continuationPrefix,
            maxInputCharactersPerWord: model.maxInputCharactersPerWord,
            template: template,
            addedTokens: added,
            padID: try reader.padID(),
            truncationMaxLength: try reader.truncationMaxLength()
        )
    }

    /// The common end of both loaders: builds the tables and resolves the special ids.
    private init(
        path: String,
        vocabulary: [(token: [Unicode.Scalar], id: Int32)],
        normalizer: BertNormalizer?,
        unknownToken: String,
        continuationPrefix: String,
        maxInputCharactersPerWord: Int,
        template: SpecialTokensTemplate?,
        addedTokens: [AddedToken],
        padID: Int32?,
        truncationMaxLength: Int?
    ) throws(TokenizerError) {
        let prefix = Array(continuationPrefix.unicodeScalars)
        var tokens = TokenTable(expectedCount: vocabulary.count)
        var continuations = TokenTable(expectedCount: vocabulary.count / 4)
        var largestID: Int32 = -1
        for (token, id) in vocabulary {
            tokens.insert(token, id: id)
            largestID = max(largestID, id)
            if !prefix.isEmpty, token.count >= prefix.count, token.starts(with: prefix) {
                continuations.insert(token[prefix.count...], id: id)
            }
        }
        for token in addedTokens { largestID = max(largestID, token.id) }
        guard largestID >= 0 else {
            throw .invalidField(path: path, field: "model.vocab", reason: "is empty")
        }
        var byID = [String?](repeating: nil, count: Int(largestID) + 1)
        for (token, id) in vocabulary {
            var text = String.UnicodeScalarView()
            text.append(contentsOf: token)
            byID[Int(id)] = String(text)
        }
        for token in addedTokens where byID[Int(token.id)] == nil {
            var content = String.UnicodeScalarView()
            content.append(contentsOf: token.content)
            byID[Int(token.id)] = String(content)
        }
        func id(_ token: String) -> Int32? { tokens.id(for: token) }
        guard let unknown = id(unknownToken) else { throw .missingToken(path: path, token: unknownToken) }
        let template = template ?? SpecialTokensTemplate(prefix: [], suffix: [])
        guard let cls = template.prefix.first ?? id("[CLS]") else { throw .missingToken(path: path, token: "[CLS]") }
        guard let sep = template.suffix.last ?? id("[SEP]") else { throw .missingToken(path: path, token: "[SEP]") }
        guard let pad = padID ?? id("[PAD]") else { throw .missingToken(path: path, token: "[PAD]") }

        self.normalizer = normalizer
        var raw: [AddedToken] = []
        var normalized: [AddedToken] = []
        for var token in addedTokens {
            if token.isNormalized {
                if let normalizer {
                    var content: [Unicode.Scalar] = []
                    normalizer.normalize(token.content[...], into: &content)
                    token.content = content
                }
                normalized.append(token)
            } else {
                raw.append(token)
            }
        }
        self.addedTokens = AddedTokens(raw)
        self.normalizedAddedTokens = AddedTokens(normalized)
        self.model = WordPiece(
            tokens: tokens, continuations: continuations, unknownID: unknown,
            maxInputCharactersPerWord: maxInputCharactersPerWord
        )
        self.template = template
        self.tokensByID = byID
        self.vocabularySize = byID.count
        self.clsID = cls
        self.sepID = sep
        self.padID = pad
        self.unkID = unknown
        self.truncationMaxLength = truncationMaxLength
    }

    private static func read(_ url: URL) throws -> [UInt8] {
        switch RegularFile.read(url.path) {
        case .success(let bytes): return bytes
        case .failure(let error): throw TokenizerError.unreadable(path: url.path, reason: error.reason)
        }
    }
}
