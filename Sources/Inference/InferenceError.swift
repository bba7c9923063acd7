/// What went wrong while loading or running a model. `message` is meant for a person: it names the
/// file and the problem, and says what to do.
public enum InferenceError: Error, Sendable, Equatable {
    /// A file the model needs is not in the model directory.
    case missingFile(path: String)
    /// A file exists but cannot be read or mapped.
    case unreadableFile(path: String, reason: String)
    /// A file's structure is wrong: truncated, a bad header, an offset out of range.
    case malformedFile(path: String, problem: String)
    /// The model is of a kind this code does not run.
    case unsupportedModel(path: String, problem: String)
    /// A tensor the architecture needs is absent from the weights file.
    case missingTensor(path: String, name: String)
    /// A tensor has another shape than the configuration implies.
    case wrongShape(path: String, name: String, expected: [Int], found: [Int])
    /// A tensor is stored in a type this code cannot read.
    case unsupportedDType(path: String, name: String, dtype: String)
    /// A token id is outside the vocabulary, or a sequence is empty or longer than the model allows.
    case invalidInput(String)
    /// A product kernel could not run (its working memory could not be allocated).
    case kernelFailed(String)

    /// A sentence for the user: what went wrong and what to do next.
    public var message: String {
        switch self {
        case .missingFile(let path):
            "The model file \(path) is missing. Install the model again (Scripts/fetch-models) or point the configuration at a complete model directory."
        case .unreadableFile(let path, let reason):
            "Cannot read the model file \(path): \(reason). Check that it exists and is readable by this user."
        case .malformedFile(let path, let problem):
            "The model file \(path) is damaged: \(problem). Download the model again."
        case .unsupportedModel(let path, let problem):
            "The model described by \(path) is not supported: \(problem). Use a BERT-family sentence encoder (all-MiniLM-L6-v2, BGE, E5, GTE)."
        case .missingTensor(let path, let name):
            "The weights file \(path) has no tensor \(name). The file does not match its config.json; download the model again."
        case .wrongShape(let path, let name, let expected, let found):
            "The tensor \(name) in \(path) has shape \(found), but config.json implies \(expected). Download the model again."
        case .unsupportedDType(let path, let name, let dtype):
            "The tensor \(name) in \(path) is stored as \(dtype); only F32, F16 and BF16 weights can be loaded."
        case .invalidInput(let problem):
            "The encoder was given invalid input: \(problem)."
        case .kernelFailed(let problem):
            "The encoder's product failed: \(problem). Free some memory, or set SOTTO_ENCODER_GEMM=avx512 (or avx2) for the float products."
        }
    }
}

extension InferenceError: CustomStringConvertible {
    public var description: String { message }
}
