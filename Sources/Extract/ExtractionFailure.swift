/// Why a document could not be read at all. Crosses the sandbox pipe as JSON; `code` is stable (it is
/// stored and shown by `sotto documents`), `message` says what happened and what the person can do.
public struct ExtractionFailure: Error, Sendable, Codable, Equatable {
    public enum Code: String, Sendable, Codable {
        case corrupt             // not a well-formed file of its format
        case encrypted           // needs a password
        case noText              // e.g. a PDF without a text layer and OCR unavailable/off
        case limitExceeded       // ZIP bomb, entity expansion, nesting depth, page count, output size
        case unsupported         // a variant of the format that is not read (e.g. legacy .doc)
    }
    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
