import API
import Answering
public import Hummingbird
import Foundation
import Ingest
import Logging
import Retrieval
import ServiceLifecycle
import Storage
#if canImport(Glibc)
import Glibc
#endif

/// Routes `/v1/...` requests to their handlers and turns every failure into a JSON error with a
/// stable code. One bad request never affects another.
public struct APIResponder: HTTPResponder {
    public typealias Context = SottoRequestContext

    let store: Store
    let indexer: Indexer
    let searcher: Searcher
    let embeddingWorker: EmbeddingWorker?
    let decoders: DecoderHost
    let answerer: Answerer
    let configuration: DaemonConfiguration
    let startedAt: Date
    let logger: Logger

    private static let routes: [String: Set<String>] = [
        "/v1/status": ["GET"],
        "/v1/sources": ["GET", "POST"],
        "/v1/sources/remove": ["POST"],
        "/v1/search": ["POST"],
        "/v1/documents": ["GET"],
        "/v1/index": ["POST"],
        "/v1/ask": ["POST"],
    ]

    public func respond(to request: Request, context: Context) async throws -> Response {
        do {
            return try await route(request, context: context)
        } catch let error as APIError {
            return Self.errorResponse(error)
        } catch is ClientGone {
            logger.info("a client left before its answer was complete; its generation was stopped")
            return Self.errorResponse(APIError(499, .clientClosed, "the client closed the connection before the answer was complete"))
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return Self.errorResponse(APIError(413, .payloadTooLarge, "the request body is larger than \(configuration.maxRequestBytes) bytes"))
        } catch {
            logger.error("request \(request.method) \(request.uri.path) failed: \(error)")
            return Self.errorResponse(.internalError("the daemon failed to answer: \(error)"))
        }
    }

    private func route(_ request: Request, context: Context) async throws -> Response {
        var path = request.uri.path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        guard let methods = Self.routes[path] else {
            throw APIError.notFound("no such endpoint: \(path); see docs/openapi.yaml for the API")
        }
        let method = request.method.rawValue
        guard methods.contains(method) else {
            throw APIError(405, .methodNotAllowed, "\(path) takes \(methods.sorted().joined(separator: " or ")), not \(method)")
        }
        switch (method, path) {
        case ("GET", "/v1/status"): return try json(await status())
        case ("GET", "/v1/sources"): return try json(await sources())
        case ("POST", "/v1/sources"): return try json(await addSource(try await decode(SourceRequest.self, request)), status: .created)
        case ("POST", "/v1/sources/remove"): return try json(await removeSource(try await decode(SourceRequest.self, request)))
        case ("POST", "/v1/search"): return try json(await search(try await decode(SearchRequest.self, request)))
        case ("GET", "/v1/documents"):
            var query: [String: String] = [:]
            for (key, value) in request.uri.queryParameters where query[String(key)] == nil { query[String(key)] = String(value) }
            return try json(await documents(query))
        case ("POST", "/v1/index"): return try await index(try await decodeOptional(IndexRequest.self, request, allowEmpty: true))
        case ("POST", "/v1/ask"):
            let received = ContinuousClock.now
            return try await ask(try await decode(AskRequest.self, request), received: received, watch: await context.connectionWatch())
        default: throw APIError.notFound("no such endpoint: \(method) \(path)")
        }
    }

    // MARK: - Handlers

    func status() async throws -> StatusResponse {
        let counts = try await store.counts()
        let progress = await indexer.currentProgress()
        let embedding = await embeddingWorker?.currentProgress()
        let dense = searcher.denseState
        return StatusResponse(
            version: SottoVersion.string, pid: getpid(), startedAt: startedAt,
            uptimeSeconds: Date().timeIntervalSince(startedAt), socket: configuration.socketPath,
            database: .init(path: store.path, sizeBytes: store.sizeOnDisk()),
            counts: .init(
                roots: counts.roots, documents: counts.documents, indexed: counts.indexed, failed: counts.failed,
                skipped: counts.skipped, chunks: counts.chunks),
            indexing: Self.wire(progress),
            embedding: embedding.map {
                .init(
                    model: $0.model, fingerprint: $0.fingerprint, dimension: $0.dimension, state: $0.state.rawValue,
                    embedded: min($0.embedded, counts.chunks), chunks: counts.chunks, chunksPerSecond: $0.chunksPerSecond,
                    active: $0.isActive,
                    lastError: $0.lastError)
            },
            denseSearch: .init(
                available: dense != nil, vectors: dense?.index.count ?? 0, reason: searcher.denseUnavailableReason),
            lastError: progress.lastError.map { .init(at: $0.at, path: $0.path, message: $0.message) },
            decoder: decoders.status)
    }

    func sources() async throws -> SourcesResponse {
        var out: [Source] = []
        for root in try await store.roots() {
            let counts = try await store.documentCounts(rootId: root.id ?? -1)
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) && isDirectory.boolValue
            out.append(Source(
                path: root.path, include: root.include, exclude: root.exclude, addedAt: root.addedAt,
                documents: counts.documents, failed: counts.failed, exists: exists))
        }
        return SourcesResponse(sources: out)
    }

    func addSource(_ request: SourceRequest) async throws -> Source {
        let root = try await SourceRegistration.add(request, store: store, indexer: indexer)
        return Source(
            path: root.path, include: root.include, exclude: root.exclude, addedAt: root.addedAt, documents: 0, failed: 0,
            exists: true)
    }

    func removeSource(_ request: SourceRequest) async throws -> SourceRemoved {
        let path = SourceRegistration.normalise(request.path)
        await indexer.rootRemoved(path: path)
        guard let removed = try await store.removeRoot(path: path) else {
            throw APIError(404, .unknownRoot, "\(path) is not a source; `sotto sources list` shows the sources")
        }
        return SourceRemoved(path: path, documentsRemoved: removed)
    }

    func search(_ request: SearchRequest) async throws -> SearchResponse {
        let started = ContinuousClock.now
        let query = request.query.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !query.isEmpty else { throw APIError(400, .emptyQuery, "the query is empty") }
        guard query.utf8.count <= 4096 else { throw APIError.badRequest("the query is longer than 4096 bytes") }
        let limit = request.limit ?? 10
        guard (1...100).contains(limit) else { throw APIError.badRequest("limit must be between 1 and 100") }
        let requested: RetrievalMode
        switch request.mode {
        case nil: requested = .hybrid
        case let name?:
            guard let mode = RetrievalMode(rawValue: name) else {
                throw APIError(400, .invalidMode, "unknown mode \(name.debugDescription); use bm25, dense or hybrid")
            }
            requested = mode
        }
        let result: (mode: RetrievalMode, hits: [StoredHit])
        do {
            result = try await searcher.search(query, mode: requested, limit: limit, pathPrefix: request.pathPrefix)
        } catch StoreError.emptyQuery {
            throw APIError(400, .emptyQuery, "the query has no words to search for")
        } catch let error as RetrievalError {
            throw APIError(400, .modeUnavailable, "dense search is not available: \(error.message)")
        }
        let mode = SearchMode(rawValue: result.mode.rawValue) ?? .bm25
        let wireHits = result.hits.enumerated().map { rank, hit in
            SearchHit(
                path: hit.path, byteStart: hit.byteStart, byteEnd: hit.byteEnd, lineStart: hit.lineStart, lineEnd: hit.lineEnd,
                score: hit.score, text: hit.text, section: hit.section, snippet: hit.snippet,
                highlights: hit.highlights.map { HighlightRange(start: $0.lowerBound, end: $0.upperBound) },
                chunkId: hit.chunkId, documentId: hit.documentId, rank: rank + 1)
        }
        let elapsed = ContinuousClock.now - started
        return SearchResponse(query: request.query, mode: mode, hits: wireHits, tookMilliseconds: elapsed.milliseconds)
    }

    func documents(_ query: [String: String]) async throws -> DocumentsResponse {
        let limit = try query["limit"].map { text throws(APIError) -> Int in
            guard let value = Int(text), (1...10_000).contains(value) else { throw .badRequest("limit must be between 1 and 10000") }
            return value
        } ?? 100
        let offset = try query["offset"].map { text throws(APIError) -> Int in
            guard let value = Int(text), value >= 0 else { throw .badRequest("offset must be a whole number ≥ 0") }
            return value
        } ?? 0
        let status = try query["status"].map { text throws(APIError) -> DocumentStatus in
            guard let value = DocumentStatus(rawValue: String(text)) else {
                throw .badRequest("status must be indexed, failed or skipped")
            }
            return value
        }
        let prefix = query["path"]
        let page = try await store.listDocuments(status: status, pathPrefix: prefix, limit: limit, offset: offset)
        return DocumentsResponse(
            documents: page.documents.map { document in
                DocumentInfo(
                    path: document.path, status: DocumentInfo.Status(rawValue: document.status.rawValue) ?? .failed,
                    reason: document.reason, sizeBytes: document.size,
                    modifiedAt: Date(timeIntervalSince1970: Double(document.mtimeNanoseconds) / 1e9),
                    chunks: document.chunkCount, encoding: document.encoding, kind: document.kind, indexedAt: document.indexedAt)
            }, total: page.total)
    }

    /// Starts a rescan and streams progress (NDJSON, one `IndexProgress` a line) until it is done.
    func index(_ request: IndexRequest?) async throws -> Response {
        var rootPath: String?
        if let path = request?.path {
            let normalised = SourceRegistration.normalise(path)
            guard try await store.root(path: normalised) != nil else {
                throw APIError(404, .unknownRoot, "\(normalised) is not a source; add it with `sotto sources add`")
            }
            rootPath = normalised
        }
        let target = await indexer.requestScan(root: rootPath)
        let indexer = self.indexer
        let body = ResponseBody { writer in
            let encoder = WireJSON.makeEncoder()
            while true {
                let progress = await indexer.currentProgress()
                var line = try encoder.encode(Self.wire(progress))
                line.append(UInt8(ascii: "\n"))
                try await writer.write(ByteBuffer(bytes: line))
                if progress.completedPasses >= target || Task.isCancelled || Task.isShuttingDownGracefully { break }
                try? await Task.sleep(for: .milliseconds(250))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: body)
    }

    // MARK: - Plumbing

    func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        guard let value = try await decodeOptional(type, request, allowEmpty: false) else {
            throw APIError(400, .invalidJSON, "the request needs a JSON body")
        }
        return value
    }

    private func decodeOptional<T: Decodable>(_ type: T.Type, _ request: Request, allowEmpty: Bool) async throws -> T? {
        let limit = configuration.maxRequestBytes
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw APIError(413, .payloadTooLarge, "the request body (\(declared) bytes) is larger than \(limit) bytes")
        }
        let buffer = try await request.body.collect(upTo: limit)
        if buffer.readableBytes == 0 {
            if allowEmpty { return nil }
            throw APIError(400, .invalidJSON, "the request needs a JSON body")
        }
        do {
            return try WireJSON.makeDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw APIError(400, .invalidJSON, "the body is not a valid \(T.self): \(Self.describe(error))")
        } catch {
            throw APIError(400, .invalidJSON, "the body is not valid JSON")
        }
    }

    func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        var data = try WireJSON.makeEncoder().encode(value)
        data.append(UInt8(ascii: "\n"))
        return Response(
            status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func errorResponse(_ error: APIError) -> Response {
        var data = (try? WireJSON.makeEncoder().encode(ErrorBody(code: error.code.rawValue, message: error.message))) ?? Data()
        data.append(UInt8(ascii: "\n"))
        var headers: HTTPFields = [.contentType: "application/json"]
        if error.status == 413 { headers[.connection] = "close" }
        if let seconds = error.retryAfter { headers[.retryAfter] = String(seconds) }
        return Response(
            status: HTTPResponse.Status(code: error.status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "missing field \(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        case .dataCorrupted(let context): context.debugDescription
        @unknown default: "\(error)"
        }
    }

    static func wire(_ progress: IndexerProgress) -> IndexProgress {
        IndexProgress(
            state: IndexProgress.State(rawValue: progress.state.rawValue) ?? .idle, queued: progress.queued,
            done: progress.done, total: progress.total, failed: progress.failed, currentPath: progress.currentPath,
            filesPerSecond: progress.filesPerSecond, completedPasses: progress.completedPasses)
    }
}

extension Duration {
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
