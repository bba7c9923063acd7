public import Foundation

/// A typed client for the daemon's socket API. Each call is one connection (`Connection: close`).
public struct SottoClient: Sendable {
    public let socketPath: String
    /// How long one read or write on the socket may block.
    public var timeout: TimeInterval

    public init(socketPath: String, timeout: TimeInterval = 60) {
        self.socketPath = socketPath
        self.timeout = timeout
    }

    // MARK: - Typed calls

    public func status() throws -> StatusResponse {
        try call("GET", "/status")
    }

    public func search(_ request: SearchRequest) throws -> SearchResponse {
        try call("POST", "/search", body: request)
    }

    public func sources() throws -> SourcesResponse {
        try call("GET", "/sources")
    }

    public func addSource(_ request: SourceRequest) throws -> Source {
        try call("POST", "/sources", body: request)
    }

    public func removeSource(path: String) throws -> SourceRemoved {
        try call("POST", "/sources/remove", body: SourceRequest(path: path))
    }

    /// Erases these files or folders from the index; they stay out of it until removed from the
    /// source's excludes.
    public func forget(paths: [String]) throws -> ForgetResponse {
        try call("POST", "/forget", body: ForgetRequest(paths: paths))
    }

    /// The audit trail's newest records (admins only), oldest first.
    public func audit(since: Date? = nil, user: String? = nil, limit: Int = 1000) throws -> AuditResponse {
        var query = [("limit", String(limit))]
        if let since { query.append(("since", ISO8601DateFormatter().string(from: since))) }
        if let user { query.append(("user", user)) }
        return try call("GET", "/audit?" + Self.encodeQuery(query))
    }

    public func documents(status: DocumentInfo.Status? = nil, pathPrefix: String? = nil, limit: Int = 100, offset: Int = 0) throws
        -> DocumentsResponse
    {
        var query = [("limit", String(limit)), ("offset", String(offset))]
        if let status { query.append(("status", status.rawValue)) }
        if let pathPrefix { query.append(("path", pathPrefix)) }
        return try call("GET", "/documents?" + Self.encodeQuery(query))
    }

    /// Starts a rescan and calls `onProgress` with each progress event until the pass it started is done.
    public func index(_ request: IndexRequest = IndexRequest(), onProgress: (IndexProgress) throws -> Void) throws {
        try stream("POST", "/index", body: request) { line in
            let progress = try WireJSON.makeDecoder().decode(IndexProgress.self, from: line)
            try onProgress(progress)
        }
    }

    // MARK: - Plumbing

    /// Sends a request and decodes a JSON answer; an error status becomes `ClientError.server`.
    public func call<Response: Decodable>(_ method: String, _ path: String) throws -> Response {
        try decode(try raw(method, path, body: nil))
    }

    public func call<Body: Encodable, Response: Decodable>(_ method: String, _ path: String, body: Body) throws -> Response {
        try decode(try raw(method, path, body: try WireJSON.makeEncoder().encode(body)))
    }

    /// One request; returns the status and the whole body without interpreting it.
    public func raw(_ method: String, _ path: String, body: Data?) throws -> (status: Int, head: HTTPResponseHead, body: Data) {
        let connection = try UnixHTTPConnection(socketPath: socketPath, timeout: timeout)
        try connection.send(method: method, path: apiPrefix + path, body: body)
        let head = try connection.readHead()
        var data = Data()
        try connection.readBody(head: head) { data.append(contentsOf: $0) }
        return (head.status, head, data)
    }

    /// A request whose answer is NDJSON: calls `onLine` with each line as it arrives.
    public func stream<Body: Encodable>(_ method: String, _ path: String, body: Body, onLine: (Data) throws -> Void) throws {
        let connection = try UnixHTTPConnection(socketPath: socketPath, timeout: timeout)
        try connection.send(
            method: method, path: apiPrefix + path, body: try WireJSON.makeEncoder().encode(body),
            accept: "application/x-ndjson")
        let head = try connection.readHead()
        if head.status >= 400 {
            var data = Data()
            try connection.readBody(head: head) { data.append(contentsOf: $0) }
            throw Self.serverError(status: head.status, body: data)
        }
        var pending = [UInt8]()
        try connection.readBody(head: head) { piece in
            pending.append(contentsOf: piece)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Data(pending[..<newline])
                pending.removeSubrange(...newline)
                if !line.isEmpty { try onLine(line) }
            }
        }
        if !pending.isEmpty { try onLine(Data(pending)) }
    }

    private func decode<Response: Decodable>(_ answer: (status: Int, head: HTTPResponseHead, body: Data)) throws -> Response {
        guard (200..<300).contains(answer.status) else { throw Self.serverError(status: answer.status, body: answer.body) }
        do {
            return try WireJSON.makeDecoder().decode(Response.self, from: answer.body)
        } catch {
            throw ClientError.protocolError("could not read the \(Response.self) answer: \(error)")
        }
    }

    static func serverError(status: Int, body: Data) -> ClientError {
        if let document = try? WireJSON.makeDecoder().decode(ErrorBody.self, from: body) {
            return .server(status: status, code: document.error.code, message: document.error.message)
        }
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        return .server(status: status, code: "unknown", message: text.isEmpty ? "no details" : text)
    }

    static func encodeQuery(_ items: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/")
        return items.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")
    }
}
