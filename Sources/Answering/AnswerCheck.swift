/// What the citation check found in one answer: each sentence with the sources it cites and the
/// sources that really hold it, the verified citations with the supporting words, and whether the
/// answer stands on the sources at all.
public struct AnswerCheck: Sendable, Equatable {
    public var sentences: [CheckedSentence]
    /// One per verified source, in order of first use; each with the words that support it.
    public var citations: [VerifiedCitation]
    /// False when the answer's central claim is held by no source (see `CitationVerifier`).
    public var isGrounded: Bool
    /// The model itself said the sources do not hold the answer, and claimed nothing a source holds.
    public var isRefusal: Bool
    public var seconds: Double

    public init(sentences: [CheckedSentence], citations: [VerifiedCitation], isGrounded: Bool, isRefusal: Bool = false, seconds: Double) {
        self.sentences = sentences
        self.citations = citations
        self.isGrounded = isGrounded
        self.isRefusal = isRefusal
        self.seconds = seconds
    }

    /// The claims no source holds.
    public var unsupported: [CheckedSentence] { sentences.filter { $0.isClaim && !$0.isSupported } }
}

/// One sentence of an answer.
public struct CheckedSentence: Sendable, Equatable {
    /// Half-open byte range (UTF-8) in the answer's text, citation markers included.
    public var range: Range<Int>
    /// The source numbers the sentence cites (as written by the model, valid or not).
    public var cited: [Int]
    /// The sources that hold it: the cited ones that do, or the one that clearly does instead.
    public var verified: [Int]
    /// False when the sentence states something to check but no source holds it.
    public var isSupported: Bool
    /// False for a sentence that claims nothing a source could hold: a refusal ("the sources do not
    /// say"), or words that are all in the question.
    public var isClaim: Bool

    public init(range: Range<Int>, cited: [Int], verified: [Int], isSupported: Bool, isClaim: Bool) {
        self.range = range
        self.cited = cited
        self.verified = verified
        self.isSupported = isSupported
        self.isClaim = isClaim
    }
}

/// A source that holds part of the answer, and where.
public struct VerifiedCitation: Sendable, Equatable {
    public var number: Int
    public var source: AnswerSource
    /// Half-open byte range (UTF-8) in `source.text` of the passage holding the answer's words.
    public var quote: Range<Int>

    public init(number: Int, source: AnswerSource, quote: Range<Int>) {
        self.number = number
        self.source = source
        self.quote = quote
    }

    public var quotedText: String {
        let bytes = Array(source.text.utf8)
        let range = quote.clamped(to: 0..<bytes.count)
        return String(decoding: bytes[range], as: UTF8.self)
    }
}
