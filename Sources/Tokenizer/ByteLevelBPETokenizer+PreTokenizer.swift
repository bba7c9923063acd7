extension ByteLevelBPETokenizer {
    /// How text is cut into words before BPE, named as in GGUF's `tokenizer.ggml.pre`. Each follows
    /// the split llama.cpp performs for that name (its hand-written scanners for these regexes, whose
    /// results on edge cases such as `\s+(?!\S)` are what the model files were checked against):
    ///
    /// - `gpt2`: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    /// - `smollm`: every `\p{N}` on its own first, then `gpt2` within each remaining piece.
    /// - `llamaBPE`: `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
    ///   ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    /// - `qwen2`: as `llamaBPE` with single digits (`\p{N}`).
    public enum PreTokenizer: String, Sendable, CaseIterable {
        case qwen2
        case smollm
        case llamaBPE = "llama-bpe"
        case gpt2

        /// Appends the words of `text` (code points) to `words`, as ranges of positions in `text`.
        func split(_ text: [UInt32], into words: inout [Range<Int>]) {
            let classes = text.map { CodepointClass.of($0) }
            let scanner = WordScanner(text: text, classes: classes)
            switch self {
            case .gpt2:
                scanner.scanGPT2(0..<text.count, into: &words)
            case .qwen2:
                scanner.scanLlama3(0..<text.count, maxDigits: 1, into: &words)
            case .llamaBPE:
                scanner.scanLlama3(0..<text.count, maxDigits: 3, into: &words)
            case .smollm:
                var start = 0
                for position in text.indices where classes[position].contains(.number) {
                    scanner.scanGPT2(start..<position, into: &words)
                    words.append(position..<position + 1)
                    start = position + 1
                }
                scanner.scanGPT2(start..<text.count, into: &words)
            }
        }
    }
}

/// The hand-written matchers. Within one segment, a position outside the segment has no class and
/// is not "in range" (a regex sees the end of its input there).
private struct WordScanner {
    let text: [UInt32]
    let classes: [CodepointClass]

    private static let space: UInt32 = 0x20
    private static let apostrophe: UInt32 = 0x27
    private static let carriageReturn: UInt32 = 0x0D
    private static let lineFeed: UInt32 = 0x0A

    /// `'s|'t|'re|'ve|'m|'ll|'d`, case-sensitive or not: the length of the contraction at `position`.
    private func contraction(at position: Int, in segment: Range<Int>, caseInsensitive: Bool) -> Int? {
        guard text[position] == Self.apostrophe, position + 1 < segment.upperBound else {
            return nil
        }
        func lowered(_ value: UInt32) -> UInt32 {
            caseInsensitive && (0x41...0x5A).contains(value) ? value + 0x20 : value
        }
        let next = lowered(text[position + 1])
        if next == 0x73 || next == 0x74 || next == 0x6D || next == 0x64 {  // s t m d
            return 2
        }
        guard position + 2 < segment.upperBound else {
            return nil
        }
        let afterNext = lowered(text[position + 2])
        if (next == 0x72 && afterNext == 0x65) || (next == 0x76 && afterNext == 0x65)  // re ve
            || (next == 0x6C && afterNext == 0x6C) {  // ll
            return 3
        }
        return nil
    }

    /// The class at `position`, or nil outside the segment.
    @inline(__always)
    private func classAt(_ position: Int, _ segment: Range<Int>) -> CodepointClass? {
        segment.contains(position) ? classes[position] : nil
    }

    private func isWordLike(_ cls: CodepointClass) -> Bool {
        !cls.isDisjoint(with: [.letter, .number, .whitespace])
    }

    /// Counts the whitespace run at `position`; also where its last CR or LF ends (0 if none).
    private func whitespaceRun(at position: Int, in segment: Range<Int>) -> (count: Int, lineBreakEnd: Int) {
        var count = 0
        var lineBreakEnd = 0
        while let cls = classAt(position + count, segment), cls.contains(.whitespace) {
            let value = text[position + count]
            if value == Self.carriageReturn || value == Self.lineFeed {
                lineBreakEnd = position + count + 1
            }
            count += 1
        }
        return (count, lineBreakEnd)
    }

    func scanGPT2(_ segment: Range<Int>, into words: inout [Range<Int>]) {
        var start = segment.lowerBound
        var position = segment.lowerBound
        func emit(_ end: Int) {
            if end > start {
                words.append(start..<end)
            }
            start = end
            position = end
        }
        while position < segment.upperBound {
            if let length = contraction(at: position, in: segment, caseInsensitive: false) {
                emit(position + length)
                continue
            }
            let isSpace = text[position] == Self.space
            let lead = isSpace ? classAt(position + 1, segment) : classes[position]
            // ` ?\p{L}+` and ` ?\p{N}+`
            let kind: CodepointClass? = lead.flatMap { lead in
                lead.contains(.letter) ? .letter : lead.contains(.number) ? .number : nil
            }
            if let kind {
                var end = position + (isSpace ? 1 : 0)
                while classAt(end, segment)?.contains(kind) == true {
                    end += 1
                }
                emit(end)
                continue
            }
            // ` ?[^\s\p{L}\p{N}]+`
            if let lead, !isWordLike(lead) {
                var end = position + (isSpace ? 1 : 0)
                while let cls = classAt(end, segment), !isWordLike(cls) {
                    end += 1
                }
                emit(end)
                continue
            }
            let run = whitespaceRun(at: position, in: segment)
            // `\s+(?!\S)`: a run followed by something else leaves its last space to that word.
            if run.count > 1 && position + run.count < segment.upperBound {
                emit(position + run.count - 1)
                continue
            }
            emit(position + max(run.count, 1))
        }
    }

    func scanLlama3(_ segment: Range<Int>, maxDigits: Int, into words: inout [Range<Int>]) {
        var start = segment.lowerBound
        var position = segment.lowerBound
        func emit(_ end: Int) {
            if end > start {
                words.append(start..<end)
            }
            start = end
            position = end
        }
        while position < segment.upperBound {
            if let length = contraction(at: position, in: segment, caseInsensitive: true) {
                emit(position + length)
                continue
            }
            let value = text[position]
            let cls = classes[position]
            // `[^\r\n\p{L}\p{N}]?\p{L}+`
            if !(value == Self.carriageReturn || value == Self.lineFeed || cls.contains(.number)),
               cls.contains(.letter) || classAt(position + 1, segment)?.contains(.letter) == true {
                var end = position + 1
                while classAt(end, segment)?.contains(.letter) == true {
                    end += 1
                }
                emit(end)
                continue
            }
            // `\p{N}{1,maxDigits}`
            if cls.contains(.number) {
                var end = position
                while end - position < maxDigits, classAt(end, segment)?.contains(.number) == true {
                    end += 1
                }
                emit(end)
                continue
            }
            // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
            let isSpace = value == Self.space
            let lead = isSpace ? classAt(position + 1, segment) : cls
            if lead.map({ !isWordLike($0) }) ?? true {
                var end = position + (isSpace ? 1 : 0)
                while let next = classAt(end, segment), !isWordLike(next) {
                    end += 1
                }
                while end < segment.upperBound && (text[end] == Self.carriageReturn || text[end] == Self.lineFeed) {
                    end += 1
                }
                emit(end)
                continue
            }
            let run = whitespaceRun(at: position, in: segment)
            // `\s*[\r\n]+`
            if run.lineBreakEnd > 0 {
                emit(run.lineBreakEnd)
                continue
            }
            // `\s+(?!\S)`
            if run.count > 1 && position + run.count < segment.upperBound {
                emit(position + run.count - 1)
                continue
            }
            emit(position + max(run.count, 1))
        }
    }
}
