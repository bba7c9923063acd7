/// The post-processor for one sequence: ids put before and after the WordPiece ids, e.g.
/// `[CLS] $A [SEP]` (tokenizer.json's `BertProcessing` or `TemplateProcessing`).
struct SpecialTokensTemplate: Sendable, Equatable {
    var prefix: [Int32]
    var suffix: [Int32]

    var count: Int { prefix.count + suffix.count }
}
