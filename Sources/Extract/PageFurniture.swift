/// A document's running headers and footers: lines among the first or last two of at least half of
/// its pages (and at least three), the same but for their digits — and, since OCR reads the same
/// header a little differently from page to page ("Super Bowl 50", "Super Bow! 50."), but for a few
/// characters. The extractor keeps each once, out of the flow of the text, so a header never splits
/// a paragraph that runs over a page break; the text layer's pages and recognised ones alike.
///
/// Lines are compared by their ``key(_:)`` (letters lowercased, a run of digits as `#`, nothing
/// else); two keys of at least 12 characters are the same line when at most one character in eight
/// differs (Levenshtein), shorter ones only when equal.
struct PageFurniture: Equatable {
    /// One key per repeated line, most pages first; no two of them the same line.
    private(set) var keys: [String]

    /// The keys of lines that may be furniture: those on the first pages' edges and any repeated
    /// exactly, so a long document is not compared line by line with all its other lines.
    private static let candidatePages = 10, maxCandidates = 64

    init(pages: [[String]]) {
        guard pages.count >= 3 else {
            keys = []
            return
        }
        let edges = pages.map { lines -> [String] in
            let nonEmpty = lines.filter { !$0.isEmpty }
            return Array(Set((nonEmpty.prefix(2) + nonEmpty.suffix(2)).map(Self.key))).filter { !$0.isEmpty }.sorted()
        }
        var exact: [String: Int] = [:]
        for page in edges { for key in page { exact[key, default: 0] += 1 } }
        var candidates: [String] = []
        for key in edges.prefix(Self.candidatePages).joined() where !candidates.contains(key) { candidates.append(key) }
        let frequent = exact.filter { $0.value >= 2 }.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
        for (key, _) in frequent where candidates.count < Self.maxCandidates && !candidates.contains(key) { candidates.append(key) }
        let threshold = max(3, (pages.count + 1) / 2)
        let counted = candidates.map { candidate in
            (key: candidate, pages: edges.count(where: { page in page.contains { Self.same($0, candidate) } }))
        }
        var keys: [String] = []
        for (key, count) in counted.sorted(by: { $0.pages > $1.pages || ($0.pages == $1.pages && $0.key < $1.key) })
        where count >= threshold && !keys.contains(where: { Self.same($0, key) }) {
            keys.append(key)
        }
        self.keys = keys
    }

    var isEmpty: Bool { keys.isEmpty }

    /// Which repeated line `line` is (an index into ``keys``), or nil when it is none.
    func match(_ line: String) -> Int? {
        let key = Self.key(line)
        guard !key.isEmpty else { return nil }
        return keys.firstIndex { Self.same($0, key) }
    }

    /// A line's letters lowercased and each run of its digits as `#`: "Page 3 of 12" and "page 10 of 12"
    /// are one footer, "Acme - Report" and "ACME Report." one header.
    static func key(_ line: String) -> String {
        var key = ""
        for character in line {
            if character.isNumber {
                if key.last != "#" { key.append("#") }
            } else if character.isLetter {
                key += character.lowercased()
            }
        }
        return key
    }

    /// Two keys for the same line: equal, or of at least 12 characters and at most one in eight different.
    static func same(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        let longer = max(a.count, b.count)
        guard min(a.count, b.count) >= 12 else { return false }
        let bound = longer / 8
        guard abs(a.count - b.count) <= bound else { return false }
        return distance(Array(a.unicodeScalars), Array(b.unicodeScalars), bound: bound) <= bound
    }

    /// The Levenshtein distance of `a` and `b` (neither empty), or `bound + 1` once it is certain to exceed `bound`.
    private static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], bound: Int) -> Int {
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in a.indices {
            current[0] = i + 1
            var rowMinimum = i + 1
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i] == b[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
                rowMinimum = min(rowMinimum, current[j])
            }
            if rowMinimum > bound { return bound + 1 }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
