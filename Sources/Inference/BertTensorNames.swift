/// The tensor names of a Hugging Face BERT checkpoint, in one place. Checkpoints saved from
/// `BertModel` have no prefix; those saved from a task model put everything under `bert.`.
/// Old TensorFlow conversions call LayerNorm parameters `gamma`/`beta` instead of `weight`/`bias`.
struct BertTensorNames {
    let prefix: String

    var wordEmbeddings: String { prefix + "embeddings.word_embeddings.weight" }
    var positionEmbeddings: String { prefix + "embeddings.position_embeddings.weight" }
    var tokenTypeEmbeddings: String { prefix + "embeddings.token_type_embeddings.weight" }
    var embeddingNorm: String { prefix + "embeddings.LayerNorm" }

    func layer(_ index: Int) -> String { prefix + "encoder.layer.\(index)." }
    func query(_ i: Int) -> String { layer(i) + "attention.self.query" }
    func key(_ i: Int) -> String { layer(i) + "attention.self.key" }
    func value(_ i: Int) -> String { layer(i) + "attention.self.value" }
    func attentionOutput(_ i: Int) -> String { layer(i) + "attention.output.dense" }
    func attentionNorm(_ i: Int) -> String { layer(i) + "attention.output.LayerNorm" }
    func intermediate(_ i: Int) -> String { layer(i) + "intermediate.dense" }
    func output(_ i: Int) -> String { layer(i) + "output.dense" }
    func outputNorm(_ i: Int) -> String { layer(i) + "output.LayerNorm" }

    static let normWeightSuffixes = [".weight", ".gamma"]
    static let normBiasSuffixes = [".bias", ".beta"]

    /// Picks the prefix the file uses, judged by where its word embeddings are.
    static func detect(in names: some Collection<String>) -> BertTensorNames? {
        for prefix in ["", "bert."] where names.contains(prefix + "embeddings.word_embeddings.weight") {
            return BertTensorNames(prefix: prefix)
        }
        return nil
    }
}
