public import Generation

/// Turns a follow-up question into one retrieval can answer alone, by rule: a question that leans on
/// the conversation (a pronoun, "what about …", or too few words of its own) is searched together
/// with the previous question it follows up. The model sees the whole conversation either way.
public enum QueryRewriter {
    /// The query to search for `question`, given the earlier turns (oldest first).
    public static func standalone(_ question: String, history: [ChatMessage]) -> String {
        let earlier = history.filter { $0.role == .user }.map(\.content)
        guard let previous = earlier.last, isFollowUp(question) else { return question }
        // A chain of follow-ups reaches back to the question that started it.
        var context = [previous]
        if isFollowUp(previous), earlier.count >= 2 { context.insert(earlier[earlier.count - 2], at: 0) }
        return (context + [question]).joined(separator: " ")
    }

    /// Whether `question` depends on what came before.
    public static func isFollowUp(_ question: String) -> Bool {
        let words = question.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        guard let first = words.first else { return false }
        if words.contains(where: anaphors.contains) { return true }
        if ["and", "also", "so", "then", "but"].contains(first) { return true }
        if words.starts(with: ["what", "about"]) || words.starts(with: ["how", "about"]) { return true }
        return ContentWords.of(question).count < 2
    }

    static let anaphors: Set<String> = [
        "it", "its", "they", "them", "their", "theirs", "this", "these", "those", "he", "she", "him", "her",
        "his", "hers", "there", "former", "latter", "same", "such",
    ]
}
