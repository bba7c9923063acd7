/// The words of a text that carry its meaning: lower-cased runs of letters and digits, without
/// function words. What abstention's coverage and the chat rewriter compare.
public enum ContentWords {
    public static func of(_ text: String) -> [String] {
        runs(of: text).map { $0.lowercased() }.filter { !stopwords.contains($0) }
    }

    /// The content words (lower-cased) written with a capital anywhere but at the start of the text:
    /// the names a claim makes ("…flows through Budapest", "…designed by Le Corbusier"), which the
    /// citation check requires its source to hold.
    public static func names(in text: String) -> Set<String> {
        var names = Set<String>()
        for (index, run) in runs(of: text).enumerated() where index > 0 {
            guard let first = run.unicodeScalars.first, first.properties.isUppercase else { continue }
            let word = run.lowercased()
            if !stopwords.contains(word) { names.insert(word) }
        }
        return names
    }

    /// Runs of letters and digits, as written.
    static func runs(of text: String) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        func flush() {
            if !current.isEmpty {
                words.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        for scalar in text.unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                current.append(scalar)
            } else {
                flush()
            }
        }
        flush()
        return words
    }

    /// English function words and question words; Scripts/eval's calibration uses the same list.
    public static let stopwords: Set<String> = [
        "a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been", "before",
        "but", "by", "can", "could", "did", "do", "does", "during", "for", "from", "had", "has", "have", "he", "her",
        "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "many", "may", "me", "much", "my", "no",
        "not", "of", "on", "one", "or", "other", "our", "she", "should", "so", "some", "than", "that", "the",
        "their", "them", "then", "there", "these", "they", "this", "those", "to", "two", "up", "us", "was", "we",
        "were", "what", "when", "where", "which", "while", "who", "whom", "whose", "why", "will", "with", "would",
        "you", "your",
    ]
}
