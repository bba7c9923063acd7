/// The activation buffers of one forward pass, allocated for the largest batch seen so far and
/// reused for every later batch, so steady-state encoding allocates nothing.
final class EncoderWorkspace {
    private(set) var tokenCapacity = 0
    private(set) var sequenceCapacity = 0
    private let hiddenSize: Int
    private let intermediateSize: Int

    private(set) var hidden: UnsafeMutablePointer<Float>     // (tokens, hidden): the residual stream
    private(set) var qkv: UnsafeMutablePointer<Float>        // (tokens, 3·hidden)
    private(set) var context: UnsafeMutablePointer<Float>    // (tokens, hidden): attention output, before projection
    private(set) var intermediate: UnsafeMutablePointer<Float> // (tokens, intermediate)
    private(set) var scores: UnsafeMutablePointer<Float>     // (longest, longest): one head's attention
    /// The int8 kernel's quantized inputs of one product.
    let activations = ActivationScratch()

    init(hiddenSize: Int, intermediateSize: Int) {
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        hidden = .allocate(capacity: 0)
        qkv = .allocate(capacity: 0)
        context = .allocate(capacity: 0)
        intermediate = .allocate(capacity: 0)
        scores = .allocate(capacity: 0)
    }

    deinit {
        for buffer in [hidden, qkv, context, intermediate, scores] { buffer.deallocate() }
    }

    /// Makes room for `tokens` tokens in all, the longest sequence having `longest`.
    func reserve(tokens: Int, longest: Int) {
        if tokens > tokenCapacity {
            for buffer in [hidden, qkv, context, intermediate] { buffer.deallocate() }
            hidden = .allocate(capacity: tokens * hiddenSize)
            qkv = .allocate(capacity: tokens * 3 * hiddenSize)
            context = .allocate(capacity: tokens * hiddenSize)
            intermediate = .allocate(capacity: tokens * intermediateSize)
            tokenCapacity = tokens
        }
        if longest > sequenceCapacity {
            scores.deallocate()
            scores = .allocate(capacity: longest * longest)
            sequenceCapacity = longest
        }
    }
}
