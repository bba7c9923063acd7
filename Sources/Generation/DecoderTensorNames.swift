/// The GGUF names of the decoder's tensors and metadata keys, in one place (llama.cpp's naming).
enum DecoderTensorNames {
    static let tokenEmbedding = "token_embd.weight"
    static let outputNorm = "output_norm.weight"
    static let output = "output.weight"

    static func attentionNorm(_ layer: Int) -> String { "blk.\(layer).attn_norm.weight" }
    static func query(_ layer: Int) -> String { "blk.\(layer).attn_q.weight" }
    static func key(_ layer: Int) -> String { "blk.\(layer).attn_k.weight" }
    static func value(_ layer: Int) -> String { "blk.\(layer).attn_v.weight" }
    static func queryBias(_ layer: Int) -> String { "blk.\(layer).attn_q.bias" }
    static func keyBias(_ layer: Int) -> String { "blk.\(layer).attn_k.bias" }
    static func valueBias(_ layer: Int) -> String { "blk.\(layer).attn_v.bias" }
    static func attentionOutput(_ layer: Int) -> String { "blk.\(layer).attn_output.weight" }
    static func feedForwardNorm(_ layer: Int) -> String { "blk.\(layer).ffn_norm.weight" }
    static func gate(_ layer: Int) -> String { "blk.\(layer).ffn_gate.weight" }
    static func up(_ layer: Int) -> String { "blk.\(layer).ffn_up.weight" }
    static func down(_ layer: Int) -> String { "blk.\(layer).ffn_down.weight" }
}

/// GGUF metadata keys the decoder reads.
enum DecoderMetadataKeys {
    static let architecture = "general.architecture"
    static func blockCount(_ arch: String) -> String { "\(arch).block_count" }
    static func embeddingLength(_ arch: String) -> String { "\(arch).embedding_length" }
    static func feedForwardLength(_ arch: String) -> String { "\(arch).feed_forward_length" }
    static func headCount(_ arch: String) -> String { "\(arch).attention.head_count" }
    static func kvHeadCount(_ arch: String) -> String { "\(arch).attention.head_count_kv" }
    static func keyLength(_ arch: String) -> String { "\(arch).attention.key_length" }
    static func ropeFreqBase(_ arch: String) -> String { "\(arch).rope.freq_base" }
    static func ropeDimensionCount(_ arch: String) -> String { "\(arch).rope.dimension_count" }
    static func rmsEpsilon(_ arch: String) -> String { "\(arch).attention.layer_norm_rms_epsilon" }
    static func contextLength(_ arch: String) -> String { "\(arch).context_length" }

    static let tokenizerModel = "tokenizer.ggml.model"
    static let tokenizerPre = "tokenizer.ggml.pre"
    static let tokens = "tokenizer.ggml.tokens"
    static let tokenTypes = "tokenizer.ggml.token_type"
    static let merges = "tokenizer.ggml.merges"
    static let bosTokenID = "tokenizer.ggml.bos_token_id"
    static let eosTokenID = "tokenizer.ggml.eos_token_id"
    static let eotTokenID = "tokenizer.ggml.eot_token_id"
    static let eomTokenID = "tokenizer.ggml.eom_token_id"
    static let addBOS = "tokenizer.ggml.add_bos_token"
    static let chatTemplate = "tokenizer.chat_template"
}
