/// Keeps generated text to a phrase that appears in one of a few texts: at every step only tokens
/// that continue such a phrase may be chosen, and the generation may end only once the phrase is not
/// empty. Text is compared ignoring the case of ASCII letters and how much whitespace there is, so
/// "Denver  Broncos" in a source allows "denver broncos". A phrase never spans two texts.
///
/// Short answers use it: the answer is then a quotation a person can find in the sources, never a
/// paraphrase or a guess from elsewhere.
public struct QuoteConstraint: Sendable, Equatable {
    public let texts: [String]

    public init(texts: [String]) {
        self.texts = texts
    }
}

/// The constraint's state during one generation: the normalised output so far and where in the
/// texts it occurs.
struct QuoteMatcher: Sendable {
    /// The texts normalised, each followed by a 0 byte that no output contains.
    private let haystack: [UInt8]
    /// The normalised output so far.
    private(set) var output: [UInt8] = []
    /// Offsets in `haystack` where `output` occurs (nil while the output is empty: anywhere).
    private var starts: [Int]?

    init(_ constraint: QuoteConstraint) {
        var haystack: [UInt8] = []
        for text in constraint.texts {
            haystack += Self.normalized(Array(text.utf8), after: nil)
            haystack.append(0)
        }
        self.haystack = haystack
    }

    /// Whether the phrase so far holds anything: only then may the generation end.
    var mayEnd: Bool { !output.isEmpty }

    /// Whether a token with these bytes may come next.
    func allows(_ bytes: [UInt8]) -> Bool {
        let added = Self.normalized(bytes, after: output.last)
        if added.isEmpty || added == [0x20] { return !output.isEmpty }
        return firstMatch(adding: added) != nil
    }

    /// Records a chosen token. Returns false (and changes nothing) when it does not continue a phrase.
    @discardableResult
    mutating func accept(_ bytes: [UInt8]) -> Bool {
        let added = Self.normalized(bytes, after: output.last)
        if added.isEmpty { return !output.isEmpty }
        let kept = starts.map { $0.filter { matches(added, at: $0 + output.count) } } ?? occurrences(of: added)
        // Whitespace after the phrase (at the end of its text) is harmless: it adds nothing.
        if kept.isEmpty, added == [0x20], !output.isEmpty { return true }
        guard !kept.isEmpty else { return false }
        starts = kept
        output += added
        return true
    }

    private func firstMatch(adding added: [UInt8]) -> Int? {
        guard let starts else { return occurrences(of: added, limit: 1).first }
        return starts.first { matches(added, at: $0 + output.count) }
    }

    private func matches(_ bytes: [UInt8], at offset: Int) -> Bool {
        guard offset + bytes.count <= haystack.count else { return false }
        for i in bytes.indices where haystack[offset + i] != bytes[i] { return false }
        return true
    }

    private func occurrences(of bytes: [UInt8], limit: Int = .max) -> [Int] {
        guard let first = bytes.first, bytes.count <= haystack.count else { return [] }
        var found: [Int] = []
        for offset in 0...(haystack.count - bytes.count) where haystack[offset] == first && matches(bytes, at: offset) {
            found.append(offset)
            if found.count == limit { break }
        }
        return found
    }

    /// `bytes` with ASCII letters lowercased and every run of whitespace one space; `previous` is
    /// the byte before them (nil at the start, where leading whitespace is dropped).
    static func normalized(_ bytes: [UInt8], after previous: UInt8?) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var last = previous
        for byte in bytes {
            switch byte {
            case 0x09...0x0D, 0x20:
                if last == nil || last == 0x20 { continue }
                result.append(0x20)
                last = 0x20
            case 0x41...0x5A:
                result.append(byte + 0x20)
                last = byte + 0x20
            case 0:
                continue
            default:
                result.append(byte)
                last = byte
            }
        }
        return result
    }
}
