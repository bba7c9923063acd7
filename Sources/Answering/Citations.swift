/// A source the answer cites, with where to find it.
public struct Citation: Sendable, Equatable {
    public var number: Int
    public var source: AnswerSource
    /// Half-open byte range in `source.text` of the words that support the answer, once checked.
    public var quote: Range<Int>?
    public init(number: Int, source: AnswerSource, quote: Range<Int>? = nil) {
        self.number = number
        self.source = source
        self.quote = quote
    }
}

/// Finds the [n] and [n, m] markers in an answer and maps them to sources.
public enum Citations {
    /// The numbers cited, in order of first appearance, each once. Recognises `[1]`, `[1, 3]`,
    /// `[1,3]`, `[1][2]`, `[1-3]` (a range); ignores brackets holding anything else.
    public static func numbers(in answer: String) -> [Int] {
        var found: [Int] = []
        var seen = Set<Int>()
        var rest = Substring(answer)
        while let open = rest.firstIndex(of: "[") {
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "]") else { break }
            let inside = rest[afterOpen..<close]
            rest = rest[rest.index(after: close)...]
            guard inside.count <= 40, let numbers = parseList(inside) else { continue }
            for number in numbers where seen.insert(number).inserted { found.append(number) }
        }
        return found
    }

    /// The citations that point at sources, and the numbers that point at none (dropped, flagged).
    public static func resolve(_ answer: String, sources: [AnswerSource]) -> (citations: [Citation], invalid: [Int]) {
        let byNumber = Dictionary(sources.map { ($0.number, $0) }, uniquingKeysWith: { a, _ in a })
        var citations: [Citation] = []
        var invalid: [Int] = []
        for number in numbers(in: answer) {
            if let source = byNumber[number] {
                citations.append(Citation(number: number, source: source))
            } else {
                invalid.append(number)
            }
        }
        return (citations, invalid)
    }

    /// The text without its citation markers (each replaced by a space), what a sentence says.
    public static func removingMarkers(from text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "[") {
            result += rest[..<open]
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "]") else {
                rest = rest[open...]
                break
            }
            let inside = rest[afterOpen..<close]
            if inside.count <= 40, parseList(inside) != nil {
                result += " "
            } else {
                result += rest[open...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    /// "1, 3" → [1, 3]; "2-4" → [2, 3, 4]; nil unless the whole text is such a list.
    private static func parseList(_ text: Substring) -> [Int]? {
        var numbers: [Int] = []
        for part in text.split(separator: ",") {
            let item = part.trimmingCharacters(in: .whitespaces)
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if bounds.count == 1, let number = Int(bounds[0]), number >= 0, number < 10_000 {
                numbers.append(number)
            } else if bounds.count == 2, let low = Int(bounds[0]), let high = Int(bounds[1]), low >= 0, low <= high, high - low < 20 {
                numbers += Array(low...high)
            } else {
                return nil
            }
        }
        return numbers.isEmpty ? nil : numbers
    }
}
