public import API

/// An error a request handler throws; the responder turns it into `{"error": {"code", "message"}}`.
public struct APIError: Error, Sendable {
    public var status: Int
    public var code: ErrorCode
    public var message: String
    /// Seconds to wait before retrying, sent as `Retry-After` (503s).
    public var retryAfter: Int?
    /// The methods a path takes, sent as `Allow` (405s).
    public var allow: [String]?
    /// The request field at fault, for the OpenAI-shaped errors (`param`).
    public var param: String?

    public init(
        _ status: Int, _ code: ErrorCode, _ message: String, retryAfter: Int? = nil, allow: [String]? = nil, param: String? = nil
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.allow = allow
        self.param = param
    }

    static func badRequest(_ message: String) -> APIError { APIError(400, .badRequest, message) }
    static func notFound(_ message: String) -> APIError { APIError(404, .notFound, message) }
    static func internalError(_ message: String) -> APIError { APIError(500, .internalError, message) }
}
