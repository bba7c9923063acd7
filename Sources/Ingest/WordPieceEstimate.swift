/// A conservative stand-in for the BERT WordPiece tokenizer where there is no encoder: it should never count
/// fewer tokens than the real tokenizer for English, code and CJK, so chunks cut with it fit the model.
///
/// How BERT tokenizes (uncased vocabularies such as all-MiniLM-L6-v2's): whitespace separates words;
/// every punctuation character (all ASCII non-alphanumerics, Unicode P*) is a token of its own; every
/// CJK ideograph is a token of its own; accents are stripped; each remaining word is cut greedily into
/// the longest vocabulary pieces ("playing" → play ##ing). Common English words are one piece; rarer
/// words and identifiers fall into pieces of three to four letters ("XMLHttpRequest" → xml ##ht ##tp
/// ##re ##quest); numbers into pieces of two or three digits; random strings (hashes, base64) into
/// pieces of one or two characters.
///
/// The estimate, per word:
/// - a run of letters costs 1 + (length − 1) / 3: at least a piece per three letters;
/// - a run of digits costs one per two digits;
/// - a word alternating letters and digits more than once ("d41d8cd9", "utf8mb4"), a letter run of
///   five or more with few vowels, or one that flips case often (base64) costs one per character;
/// - punctuation and symbols cost 1 each; CJK, kana, Hangul and letters of other non-Latin scripts 1
///   per character (the worst case of a character vocabulary); emoji 2; combining marks and control
///   characters nothing (BERT strips them).
///
/// Resulting ratio (estimate ÷ real), reasoned from the rules above: English prose ≈ 1.4–1.7 (a word
/// averages 1.9 estimated against 1.2–1.3 real tokens; punctuation counts the same), source code
/// ≈ 1.1–1.5, CJK ≈ 1.0, hex and base64 ≈ 1.2–2. It can still undercount rare proper names with
/// unusual letter sequences ("Nguyen": 2 estimated, 3 real); the 256-token limit of the encoder then
/// truncates a few tokens of such a chunk's embedding, never its stored text.
public struct WordPieceEstimate: TokenCounting {
    public init() {}

    public func tokenCount(_ text: Substring) -> Int {
        var counter = WordCost()
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                let byte = UInt8(truncatingIfNeeded: value)
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"):
                    counter.letter(isUpper: false, isVowel: WordCost.isVowel(byte))
                case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                    counter.letter(isUpper: true, isVowel: WordCost.isVowel(byte | 0x20))
                case UInt8(ascii: "0")...UInt8(ascii: "9"):
                    counter.digit()
                case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E:
                    counter.endWord()
                    counter.total += 1
                default:  // whitespace and control characters
                    counter.endWord()
                }
                continue
            }
            let properties = scalar.properties
            if properties.isWhitespace {
                counter.endWord()
                continue
            }
            switch properties.generalCategory {
            case .nonspacingMark, .enclosingMark, .format, .control:
                continue  // stripped or zero-width (ZWJ, variation selectors)
            case .decimalNumber:
                counter.digit()
            case let category where WordCost.isLatin(value) && (category == .uppercaseLetter || category == .lowercaseLetter):
                // Accents are stripped by BERT, so "é" costs what "e" costs.
                counter.letter(isUpper: category == .uppercaseLetter, isVowel: true)
            default:
                counter.endWord()
                counter.total += properties.isEmojiPresentation || (properties.isEmoji && value >= 0x1F000) ? 2 : 1
            }
        }
        counter.endWord()
        return counter.total
    }
}

/// The running cost of the current word.
private struct WordCost {
    var total = 0
    private var runCost = 0
    private var letterRun = 0
    private var digitRun = 0
    private var runs = 0
    private var characters = 0
    private var vowels = 0
    private var lastWasUpper: Bool?
    private var flipsInRun = 0

    mutating func letter(isUpper: Bool, isVowel: Bool) {
        if digitRun > 0 { endDigitRun() }
        if letterRun == 0 {
            runs += 1
            vowels = 0
            flipsInRun = 0
            lastWasUpper = nil
        }
        if let last = lastWasUpper, last != isUpper { flipsInRun += 1 }
        lastWasUpper = isUpper
        letterRun += 1
        characters += 1
        if isVowel { vowels += 1 }
    }

    mutating func digit() {
        if letterRun > 0 { endLetterRun() }
        if digitRun == 0 { runs += 1 }
        digitRun += 1
        characters += 1
    }

    mutating func endWord() {
        if letterRun > 0 { endLetterRun() }
        if digitRun > 0 { endDigitRun() }
        guard characters > 0 else { return }
        // Letters and digits alternating more than once: a hash or a code, cut into tiny pieces.
        total += runs >= 3 ? max(runCost, characters) : runCost
        runCost = 0
        runs = 0
        characters = 0
    }

    private mutating func endLetterRun() {
        let length = letterRun
        let lacksVowels = length >= 5 && vowels * 5 < length
        // camelCase flips case once per word part; base64 flips every other letter.
        let flipsOften = length >= 8 && flipsInRun * 4 > length
        runCost += lacksVowels || flipsOften ? length : 1 + (length - 1) / 3
        letterRun = 0
    }

    private mutating func endDigitRun() {
        runCost += (digitRun + 1) / 2
        digitRun = 0
    }

    static func isVowel(_ lowercase: UInt8) -> Bool {
        switch lowercase {
        case UInt8(ascii: "a"), UInt8(ascii: "e"), UInt8(ascii: "i"), UInt8(ascii: "o"), UInt8(ascii: "u"), UInt8(ascii: "y"):
            return true
        default:
            return false
        }
    }

    /// Latin-1 Supplement letters and Latin Extended-A/B and Additional: accented Latin letters.
    static func isLatin(_ value: UInt32) -> Bool {
        (0xC0...0x24F).contains(value) || (0x1E00...0x1EFF).contains(value)
    }
}
