/// The words of a text that carry its meaning: lower-cased runs of letters and digits, without
/// function words. What abstention's coverage and the chat rewriter compare.
public enum ContentWords {
    public static func of(_ text: String) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        func flush() {
            if !current.isEmpty {
                let word = String(current).lowercased()
                if !stopwords.contains(word) { words.append(word) }
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
