import Foundation
public import Tokenizer

/// Renders conversations in the model's chat format with our own code. The template in the file is
/// only inspected to pick the family (and its default system prompt), never executed.
///
/// Markers are tokenized as special tokens; message contents never are, so a document that
/// contains `<|im_start|>` stays text and cannot open a turn.
public struct ChatTemplate: Sendable, Equatable {
    public enum Family: String, Sendable {
        /// `<|im_start|>role\ncontent<|im_end|>\n` … `<|im_start|>assistant\n` (Qwen2, SmolLM2).
        case chatML
    }

    public let family: Family
    /// The system message the family's template puts first when the conversation has none.
    public let defaultSystemPrompt: String?

    public init(family: Family, defaultSystemPrompt: String?) {
        self.family = family
        self.defaultSystemPrompt = defaultSystemPrompt
    }

    /// Picks the family from the model's template (or, without one, from its special tokens).
    public init(model: DecoderModel) throws(GenerationError) {
        let source = model.chatTemplateSource
        let tokenizer = model.vocabulary.tokenizer
        let hasMarkers = tokenizer.id(of: "<|im_start|>") != nil && tokenizer.id(of: "<|im_end|>") != nil
        if let source {
            guard source.contains("<|im_start|>"), hasMarkers else { throw .unsupportedChatTemplate(file: model.name) }
            self.init(family: .chatML, defaultSystemPrompt: Self.defaultSystemPrompt(inTemplate: source))
        } else {
            guard hasMarkers else { throw .unsupportedChatTemplate(file: model.name) }
            self.init(family: .chatML, defaultSystemPrompt: nil)
        }
    }

    /// The literal system message of a ChatML template (`'<|im_start|>system\n…<|im_end|>`), if it
    /// writes one out; Qwen2.5 and SmolLM2 do.
    static func defaultSystemPrompt(inTemplate source: String) -> String? {
        let opener = "<|im_start|>system\\n"
        var searchStart = source.startIndex
        while let open = source.range(of: opener, range: searchStart..<source.endIndex) {
            searchStart = open.upperBound
            guard let close = source.range(of: "<|im_end|>", range: open.upperBound..<source.endIndex) else { return nil }
            let body = source[open.upperBound..<close.lowerBound]
            // A literal, not an expression such as `' + message['content'] + '`.
            if body.isEmpty || body.contains(where: { "'\"{}+".contains($0) }) { continue }
            return body.replacingOccurrences(of: "\\n", with: "\n")
        }
        return nil
    }

    /// The pieces of the rendered prompt: (text, isMarker). Consecutive text between two markers is
    /// one piece, so it tokenizes exactly as llama.cpp tokenizes the whole rendered string.
    public func segments(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) -> [(text: String, isMarker: Bool)] {
        var turns = messages
        if turns.first?.role != .system, let system = defaultSystemPrompt {
            turns.insert(ChatMessage(role: .system, content: system), at: 0)
        }
        var pieces: [(String, Bool)] = []
        for turn in turns {
            pieces.append(("<|im_start|>", true))
            pieces.append(("\(turn.role.rawValue)\n\(turn.content)", false))
            pieces.append(("<|im_end|>", true))
            pieces.append(("\n", false))
        }
        if addGenerationPrompt {
            pieces.append(("<|im_start|>", true))
            pieces.append(("assistant\n", false))
        }
        return pieces
    }

    /// The rendered prompt as text (for display; tokens come from `tokens(for:…)`).
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) -> String {
        segments(messages, addGenerationPrompt: addGenerationPrompt).map(\.text).joined()
    }

    /// The prompt's token ids: markers as special tokens, contents as plain text.
    public func tokens(
        for messages: [ChatMessage], tokenizer: ByteLevelBPETokenizer, bos: Int32? = nil, addGenerationPrompt: Bool = true
    ) -> [Int32] {
        var ids: [Int32] = []
        if let bos { ids.append(bos) }
        for (text, isMarker) in segments(messages, addGenerationPrompt: addGenerationPrompt) {
            ids += tokenizer.encode(text, parseSpecial: isMarker)
        }
        return ids
    }
}
