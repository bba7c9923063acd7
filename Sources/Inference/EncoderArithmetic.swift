/// How the encoder's linear layers multiply (most of its time).
public enum EncoderArithmetic: Sendable {
    /// 8-bit weights and activations with AVX-512 VNNI where the CPU has it (about twice the float
    /// kernels' speed; vectors within cosine 0.997 of the float ones on the golden set, the same
    /// retrieval figures on the public SQuAD half: docs/EVALUATION.md), else `float`.
    case fastest
    /// 32-bit floats throughout: sentence-transformers' vectors to within float rounding.
    case float
}
