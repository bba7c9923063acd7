/// What the encoder sees of a chunk: its heading path (document title > section), then its text.
/// A passage cut from the middle of a document often lacks the words that say what it is about:
/// the lease's "§ 3 Term" chunk says when "the lease" ends but never "Berlin" or "office"; its
/// title does. Without them its vector missed questions that name the subject, and chunks that
/// did name it (the title block, "§ 14 … jurisdiction is Berlin") won by meaning alone. DPR embeds
/// "title [SEP] passage" for the same reason. BM25 already sees the section (its own FTS5 column).
public enum PassageContext {
    /// Part of the encoder's fingerprint: vectors made with and without the context are not
    /// comparable, so an index made before is re-embedded (in the background) once.
    public static let version = "context1"

    /// The text to embed for a chunk.
    public static func text(_ text: String, section: String?) -> String {
        guard let section, !section.isEmpty else { return text }
        return section + "\n\n" + text
    }
}
