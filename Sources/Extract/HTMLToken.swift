/// One piece of an HTML document as ``HTMLTokenizer`` reads it. Comments, doctypes and processing
/// instructions are not tokens: nothing in them is seen by a reader.
enum HTMLToken: Equatable {
    case start(name: String, attributes: [String: String], isSelfClosing: Bool)
    case end(name: String)
    /// Character data with references decoded (raw for `<script>`/`<style>`, which are dropped anyway).
    case text(String)
}
