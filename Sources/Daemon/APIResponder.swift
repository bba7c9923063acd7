import API
import Access
import Answering
import Extract
public import Hummingbird
import Foundation
import NIOCore
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
    /// Who may see and change what.
    let access: AccessPolicy
    /// nil: no audit trail.
    let auditLog: AuditLog?
    /// The sentence encoder, for `/v1/embeddings`; nil when none is loaded.
    var encoder: EncoderHost? = nil
    /// The extractor's count of recognised pages, for the status.

    private static let routes: [String: Set<String>] = [
        "/v1/status": ["GET"],
        "/v1/sources": ["GET", "POST"],
        "/v1/sources/remove": ["POST"],
        "/v1/search": ["POST"],
        "/v1/documents": ["GET"],
        "/v1/index": ["POST"],
        "/v1/ask": ["POST"],
        "/v1/forget": ["POST"],
        "/v1/audit": ["GET"],
        "/v1/passages": ["POST"],
        "/v1/chat/completions": ["POST"],
        "/v1/embeddings": ["POST"],
        "/v1/models": ["GET"],
    ]

    /// Routes that change the index: root, the daemon's user and the admin group only
    /// (`POST /v1/sources` also for a user's own folder when `[access] user_sources` is on).
    private static let changesIndex: Set<String> = [
        "POST /v1/sources", "POST /v1/sources/remove", "POST /v1/index", "POST /v1/forget",
    ]

    public func respond(to request: Request, context: Context) async throws -> Response {
        // The OpenAI-compatible endpoints answer errors in OpenAI's shape, which their clients read.
        let errorResponse = Self.openAIPaths.contains(request.uri.path) ? Self.openAIErrorResponse : Self.errorResponse
        if let refusal = BrowserGuard.refusal(request) { return errorResponse(refusal) }
        let note = AuditNote()
        let response: Response
        do {
            response = try await route(request, context: context, note: note)
        } catch let error as APIError {
            response = errorResponse(error)
        } catch AnsweringError.clientLeft {
            logger.info("a client left before its answer was complete; its generation was stopped")
            response = errorResponse(APIError(499, .clientClosed, "the client closed the connection before the answer was complete"))
        } catch let error as HTTPError where error.status == .contentTooLarge {
            response = errorResponse(APIError(413, .payloadTooLarge, "the request body is larger than \(configuration.maxRequestBytes) bytes"))
        } catch is NIOTooManyBytesError {
            // A body without a declared length (chunked) that grew past the limit while it was read.
            response = errorResponse(APIError(413, .payloadTooLarge, "the request body is larger than \(configuration.maxRequestBytes) bytes"))
        } catch {
            logger.error("request \(request.method) \(request.uri.path) failed: \(error)")
            response = errorResponse(.internalError("the daemon failed to answer: \(error)"))
        }
        if let auditLog, let entry = note.record(status: response.status.code) {
            do {
                try auditLog.record(entry)
            } catch {
                logger.error("cannot write the audit trail \(auditLog.path): \(error)")
            }
        }
        return response
    }

    private func route(_ request: Request, context: Context, note: AuditNote) async throws -> Response {
        var path = request.uri.path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        guard let methods = Self.routes[path] else {
            throw APIError.notFound("no such endpoint: \(path); see docs/openapi.yaml for the API")
        }
        let method = request.method.rawValue
        guard methods.contains(method) else {
            throw APIError(
                405, .methodNotAllowed, "\(path) takes \(methods.sorted().joined(separator: " or ")), not \(method)",
                allow: methods.sorted())
        }
        guard let caller = await context.caller() else {
            throw APIError(403, .unknownPeer, "the daemon cannot tell who is connected (no peer credentials on the socket)")
        }
        logger.debug("\(method) \(path) from \(caller)")
        let route = "\(method) \(path)"
        // Status is polled; it names no document and asks nothing.
        if route != "GET /v1/status" { note.begin(caller: caller, endpoint: route) }
        if Self.changesIndex.contains(route), route != "POST /v1/sources", !access.mayChangeIndex(caller) {
            throw forbidden(route, caller)
        }
        switch (method, path) {
        case ("GET", "/v1/status"): return try json(await status(for: caller))
        case ("GET", "/v1/sources"): return try json(await sources(for: caller))
        case ("POST", "/v1/sources"):
            let wanted = try await decode(SourceRequest.self, request)
            note.query = wanted.path
            guard access.mayAddSource(SourceRegistration.normalise(wanted.path), caller: caller) else { throw forbidden(route, caller) }
            return try json(await addSource(wanted), status: .created)
        case ("POST", "/v1/sources/remove"):
            let wanted = try await decode(SourceRequest.self, request)
            note.query = wanted.path
            return try json(await removeSource(wanted))
        case ("POST", "/v1/search"):
            let wanted = try await decode(SearchRequest.self, request)
            note.query = wanted.query
            let found = try await search(wanted, visibility: visibility(for: caller))
            note.documents = found.hits.map(\.path)
            return try json(found)
        case ("GET", "/v1/documents"):
            var query: [String: String] = [:]
            for (key, value) in request.uri.queryParameters where query[String(key)] == nil { query[String(key)] = String(value) }
            note.query = query["path"]
            let listed = try await documents(query, visibility: visibility(for: caller))
            note.documents = listed.documents.map(\.path)
            return try json(listed)
        case ("POST", "/v1/forget"):
            let wanted = try await decode(ForgetRequest.self, request)
            note.query = wanted.paths.joined(separator: "\n")
            return try json(await forget(wanted))
        case ("GET", "/v1/audit"):
            guard access.mayChangeIndex(caller) else { throw forbidden(route, caller) }
            return try json(try auditRecords(request.uri.queryParameters))
        case ("POST", "/v1/index"): return try await index(try await decodeOptional(IndexRequest.self, request, allowEmpty: true))
        case ("POST", "/v1/ask"):
            let received = ContinuousClock.now
            let wanted = try await decode(AskRequest.self, request)
            note.query = wanted.question
            return try await ask(
                wanted, received: received, visibility: visibility(for: caller), note: note, watch: await context.connectionWatch())
        case ("POST", "/v1/passages"):
            let wanted = try await decode(PassageRequest.self, request)
            note.query = wanted.path
            let read = try await passages(wanted, visibility: visibility(for: caller))
            note.documents = [read.path]
            return try json(read)
        case ("POST", "/v1/chat/completions"):
            let received = ContinuousClock.now
            let wanted = try await decode(OpenAIChatRequest.self, request)
            note.query = wanted.messages.last { $0.role == "user" }?.content
            return try await chatCompletions(
                wanted, received: received, visibility: visibility(for: caller), note: note, watch: await context.connectionWatch())
        case ("POST", "/v1/embeddings"): return try json(await embeddings(try await decode(OpenAIEmbeddingRequest.self, request)))
        case ("GET", "/v1/models"): return try json(models())
        default: throw APIError.notFound("no such endpoint: \(method) \(path)")
        }
    }

    // MARK: - Rights

    /// The documents `caller` may see: everything for root and the daemon's user, else each
    /// document's file as the caller could open it now. Every route that searches, answers or
    /// lists documents takes one of these.
    func visibility(for caller: Caller) -> DocumentVisibility {
        guard !access.seesEverything(caller) else { return .everything }
        let access = self.access
        return DocumentVisibility { path in access.readAccess.mayRead(path, as: caller) }
    }

    /// Whether `caller` may see a source folder: list it, as `ls` would.
    private func mayList(_ folder: String, _ caller: Caller) -> Bool {
        access.seesEverything(caller) || access.readAccess.mayList(folder, as: caller)
    }

    private func forbidden(_ route: String, _ caller: Caller) -> APIError {
        let who = caller.userName ?? "uid \(caller.uid)"
        return APIError(
            403, .forbidden,
            "\(who) may not change the index (\(route)): only root, the daemon's user and members of the group \(access.adminGroupName) may"
                + (route == "POST /v1/sources" && access.allowsUserSources ? ", or a user for a folder they own and can read" : ""))
    }

    // MARK: - Handlers

    func status(for caller: Caller) async throws -> StatusResponse {
        let visibility = visibility(for: caller)
        let counts = visibility.isRestricted ? try await visibleCounts(visibility, caller: caller) : try await store.counts()
        var progress = await indexer.currentProgress()
        if visibility.isRestricted {
            // Paths of files the caller may not read are not theirs to see, not even in progress.
            if let current = progress.currentPath, !visibility.allows(current) { progress.currentPath = nil }
            if progress.lastError.map({ $0.path.map(visibility.allows) ?? false }) == false { progress.lastError = nil }
        }
        var indexing = Self.wire(progress)
        if visibility.isRestricted {
            // The pass's counts and rate are over every file: a caller who may not see them all gets
            // their own documents' counts instead, as if the pass were done.
            indexing.queued = 0
            indexing.done = counts.documents
            indexing.total = counts.documents
            indexing.failed = counts.failed
            indexing.filesPerSecond = 0
            // OCR's backlog and pages are over every file too; the document in OCR is not theirs to see.
            indexing.ocr = indexing.ocr.map { _ in
                IndexProgress.OCR(documentsToDo: 0, pagesToDo: 0, documentsDone: 0, pagesDone: 0, pagesRecognized: 0, pagesPerMinute: 0, currentPath: nil)
            }
        }
        var wireCounts = StatusResponse.Counts(
            roots: counts.roots, documents: counts.documents, indexed: counts.indexed, failed: counts.failed,
            skipped: counts.skipped, chunks: counts.chunks)
        wireCounts.byFormat = counts.byFormat
        wireCounts.quarantined = counts.quarantined
        let embedding = await embeddingWorker?.currentProgress()
        let dense = searcher.denseState
        return StatusResponse(
            version: SottoVersion.string, pid: getpid(), startedAt: startedAt,
            uptimeSeconds: Date().timeIntervalSince(startedAt), socket: configuration.socketPath,
            database: .init(path: store.path, sizeBytes: visibility.isRestricted ? nil : store.sizeOnDisk()),
            counts: wireCounts,
            indexing: indexing,
            embedding: embedding.map {
                .init(
                    model: $0.model, fingerprint: $0.fingerprint, dimension: $0.dimension, state: $0.state.rawValue,
                    embedded: min($0.embedded, counts.chunks), chunks: counts.chunks,
                    chunksPerSecond: visibility.isRestricted ? 0 : $0.chunksPerSecond,
                    active: $0.isActive,
                    lastError: $0.lastError)
            },
            // A caller who may not see every document is told no more vectors than their own chunks.
            denseSearch: .init(
                available: dense != nil, vectors: min(dense?.index.count ?? 0, visibility.isRestricted ? counts.chunks : .max),
                reason: searcher.denseUnavailableReason),
            lastError: progress.lastError.map { .init(at: $0.at, path: $0.path, message: $0.message) },
            decoder: decoders.status, ocr: ocrStatus(indexing.ocr))
    }

    /// OCR as the daemon decided it at start, with the pages recognised since and those waiting.
    private func ocrStatus(_ progress: IndexProgress.OCR?) -> StatusResponse.OCRStatus {
        let setting = configuration.ocr
        switch setting.resolution ?? setting.resolve(environment: ProcessInfo.processInfo.environment) {
        case .on(let settings):
            return StatusResponse.OCRStatus(
                enabled: true, languages: settings.languages, engine: "tesseract \(OCREngine.version)", reason: nil,
                pages: progress?.pagesRecognized ?? 0, pagesPerMinute: progress?.pagesPerMinute ?? 0,
                currentDocument: progress?.currentPath.map { $0.split(separator: "/").last.map(String.init) ?? $0 },
                pagesToDo: progress?.pagesToDo ?? 0, documentsToDo: progress?.documentsToDo ?? 0)
        case .off(let reason):
            return StatusResponse.OCRStatus(enabled: false, languages: setting.languages, engine: nil, reason: reason)
        }
    }

    /// The index's counts over the documents `visibility` allows only.
    private func visibleCounts(_ visibility: DocumentVisibility, caller: Caller) async throws -> StoreCounts {
        var counts = StoreCounts(roots: 0, documents: 0, indexed: 0, failed: 0, skipped: 0, chunks: 0)
        for document in try await store.documentSummaries() where visibility.allows(document.path) {
            counts.documents += 1
            counts.chunks += document.chunks
            switch document.status {
            case .indexed:
                counts.indexed += 1
                counts.byFormat[document.format, default: 0] += 1
            case .failed:
                counts.failed += 1
                if document.isQuarantined { counts.quarantined += 1 }
            case .skipped: counts.skipped += 1
            }
        }
        counts.roots = try await store.roots().count { mayList($0.path, caller) }
        return counts
    }

    func sources(for caller: Caller) async throws -> SourcesResponse {
        var out: [Source] = []
        for root in try await store.roots() where mayList(root.path, caller) {
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
        let path = SourceRegistration.normalise(try SourceRegistration.checked(request.path))
        await indexer.rootRemoved(path: path)
        guard let removed = try await store.removeRoot(path: path) else {
            throw APIError(404, .unknownRoot, "\(path) is not a source; `sotto sources list` shows the sources")
        }
        // Erased before the answer: the text is gone from the files when the client hears "removed".
        try await store.erase()
        // Its chunks went by cascade; their vectors leave memory before the answer, so status agrees.
        await embeddingWorker?.dropDeletedVectors()
        decoders.forgetCachedPrompts()
        return SourceRemoved(path: path, documentsRemoved: removed)
    }

    /// Erases each path (file or folder) and adds it to its source's excludes so a rescan does not
    /// bring it back.
    func forget(_ request: ForgetRequest) async throws -> ForgetResponse {
        guard (1...1000).contains(request.paths.count) else { throw APIError.badRequest("paths holds 1 to 1000 files or folders") }
        let roots = try await store.roots()
        var forgotten: [ForgetResponse.Forgotten] = []
        for raw in request.paths {
            guard raw.hasPrefix("/") else { throw APIError(400, .rootNotAbsolute, "\(raw.debugDescription) is not an absolute path") }
            let path = SourceRegistration.normalise(raw)
            guard let root = roots.first(where: { path.hasPrefix($0.path + "/") }) else {
                if roots.contains(where: { $0.path == path }) {
                    throw APIError(400, .badRequest, "\(path) is a source; remove it with `sotto sources remove`")
                }
                throw APIError(404, .unknownRoot, "\(path) is in no source; `sotto sources list` shows the sources")
            }
            let relative = String(path.dropFirst(root.path.count + 1))
            let rule = "/" + Glob.escaped(relative)
            if !root.exclude.contains(rule), let updated = try await store.updateExcludes(rootPath: root.path, root.exclude + [rule]) {
                await indexer.rootChanged(updated)
            }
            forgotten.append(.init(path: path, documentsRemoved: try await store.forget(path: path)))
        }
        // The vectors and the decoders' kept prompts leave memory before the answer, as for a removed source.
        await embeddingWorker?.dropDeletedVectors()
        decoders.forgetCachedPrompts()
        return ForgetResponse(forgotten: forgotten)
    }

    func search(_ request: SearchRequest, visibility: DocumentVisibility) async throws -> SearchResponse {
        let started = ContinuousClock.now
        let query = request.query.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !query.isEmpty else { throw APIError(400, .emptyQuery, "the query is empty") }
        // Measured before trimming, as the schema's maxLength is (schemathesis found the difference).
        guard request.query.unicodeScalars.count <= 4096 else { throw APIError.badRequest("the query is longer than 4096 characters") }
        if let prefix = request.pathPrefix { _ = try SourceRegistration.checked(prefix, field: "pathPrefix") }
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
        let result: SearchResult
        do {
            result = try await searcher.search(
                query, mode: requested, limit: limit, pathPrefix: request.pathPrefix, visibility: visibility)
        } catch StoreError.emptyQuery {
            throw APIError(400, .emptyQuery, "the query has no words to search for")
        } catch let error as RetrievalError {
            throw APIError(400, .modeUnavailable, "dense search is not available: \(error.message)")
        }
        let mode = SearchMode(rawValue: result.mode.rawValue) ?? .bm25
        let wireHits = result.hits.enumerated().map { rank, hit in
            var wire = SearchHit(
                path: hit.path, byteStart: hit.byteStart, byteEnd: hit.byteEnd, lineStart: hit.lineStart, lineEnd: hit.lineEnd,
                score: hit.score, text: hit.text, section: hit.section, snippet: hit.snippet,
                highlights: hit.highlights.map { HighlightRange(start: $0.lowerBound, end: $0.upperBound) },
                chunkId: hit.chunkId, documentId: hit.documentId, rank: rank + 1)
            wire.locator = hit.format == nil ? .file : .extracted
            wire.page = hit.page
            wire.pageEnd = hit.pageEnd
            wire.part = hit.part
            wire.ocr = hit.isOCR ? true : nil
            return wire
        }
        let elapsed = ContinuousClock.now - started
        return SearchResponse(query: request.query, mode: mode, hits: wireHits, tookMilliseconds: elapsed.milliseconds)
    }

    func documents(_ query: [String: String], visibility: DocumentVisibility) async throws -> DocumentsResponse {
        let limit = try query["limit"].map { text throws(APIError) -> Int in
            guard let value = Int(text), (1...10_000).contains(value) else { throw .badRequest("limit must be between 1 and 10000") }
            return value
        } ?? 100
        let offset = try query["offset"].map { text throws(APIError) -> Int in
            guard let value = Int(text), (0...1_000_000_000).contains(value) else {
                throw .badRequest("offset must be a whole number from 0 to 1000000000")
            }
            return value
        } ?? 0
        let status = try query["status"].map { text throws(APIError) -> DocumentStatus in
            guard let value = DocumentStatus(rawValue: String(text)) else {
                throw .badRequest("status must be indexed, failed or skipped")
            }
            return value
        }
        let prefix = try query["path"].map { try SourceRegistration.checked($0) }
        let page: (documents: [DocumentRecord], total: Int)
        if visibility.isRestricted {
            // The caller's own listing: filtered first, then counted and paged.
            var visible: [DocumentRecord] = []
            var next = 0
            while true {
                let batch = try await store.listDocuments(status: status, pathPrefix: prefix, limit: 1000, offset: next)
                visible += batch.documents.filter { visibility.allows($0.path) }
                next += batch.documents.count
                if batch.documents.count < 1000 { break }
            }
            page = (Array(visible.dropFirst(offset).prefix(limit)), visible.count)
        } else {
            page = try await store.listDocuments(status: status, pathPrefix: prefix, limit: limit, offset: offset)
        }
        return DocumentsResponse(
            documents: page.documents.map { document in
                var info = DocumentInfo(
                    path: document.path, status: DocumentInfo.Status(rawValue: document.status.rawValue) ?? .failed,
                    reason: document.reason, sizeBytes: document.size,
                    modifiedAt: Date(timeIntervalSince1970: Double(document.mtimeNanoseconds) / 1e9),
                    chunks: document.chunkCount, encoding: document.encoding, kind: document.kind, indexedAt: document.indexedAt)
                info.format = document.format
                info.extractor = document.extractor
                info.pageCount = document.pageCount
                info.problems = document.problems.isEmpty ? nil : document.problems
                info.quarantined = document.isQuarantined ? true : nil
                return info
            }, total: page.total)
    }

    /// Starts a rescan and streams progress (NDJSON, one `IndexProgress` a line) until it is done and
    /// OCR has read what it left.
    func index(_ request: IndexRequest?) async throws -> Response {
        var rootPath: String?
        if let path = request?.path {
            let normalised = SourceRegistration.normalise(try SourceRegistration.checked(path))
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
                // In step: the pass is done, and (unless the client would rather not wait) the scans
                // it left for OCR are read.
                let ocrDone = request?.waitForOCR == false || progress.ocr?.isIdle ?? true
                if progress.completedPasses >= target && ocrDone || Task.isCancelled || Task.isShuttingDownGracefully { break }
                try? await Task.sleep(for: .milliseconds(250))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: body)
    }

    /// `GET /v1/audit?since=ISO8601&user=NAME|UID&limit=N`: the newest records, oldest first.
    func auditRecords(_ parameters: some Sequence<(key: Substring, value: Substring)>) throws -> AuditResponse {
        var query: [String: String] = [:]
        for (key, value) in parameters where query[String(key)] == nil { query[String(key)] = String(value) }
        guard let auditLog else {
            throw APIError(404, .notFound, "the audit trail is off; turn it on with [audit] enabled = true")
        }
        var since: Date?
        if let text = query["since"] {
            guard let date = ISO8601DateFormatter().date(from: text) else {
                throw APIError.badRequest("since must be an ISO 8601 date and time, e.g. 2026-12-01T00:00:00Z")
            }
            since = date
        }
        let limit = try query["limit"].map { text throws(APIError) -> Int in
            guard let value = Int(text), (1...100_000).contains(value) else { throw .badRequest("limit must be between 1 and 100000") }
            return value
        } ?? 1000
        do {
            return AuditResponse(records: try auditLog.records(since: since, user: query["user"], limit: limit))
        } catch {
            throw APIError.internalError("cannot read the audit trail \(auditLog.path): \(error)")
        }
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
        let data = errorBody(error)
        var headers: HTTPFields = [.contentType: "application/json"]
        // The rest of a refused body is not read: ConnectionGuard closes the connection once this is written.
        if error.status == 413 { headers[.connection] = "close" }
        if let seconds = error.retryAfter { headers[.retryAfter] = String(seconds) }
        if let allow = error.allow { headers[.allow] = allow.joined(separator: ", ") }
        return Response(
            status: HTTPResponse.Status(code: error.status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// `{"error": {"code", "message"}}` and a newline.
    static func errorBody(_ error: APIError) -> Data {
        var data = (try? WireJSON.makeEncoder().encode(ErrorBody(code: error.code.rawValue, message: error.message))) ?? Data()
        data.append(UInt8(ascii: "\n"))
        return data
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
            filesPerSecond: progress.filesPerSecond, completedPasses: progress.completedPasses,
            ocr: progress.ocr.map {
                IndexProgress.OCR(
                    documentsToDo: $0.documentsToDo, pagesToDo: $0.pagesToDo, documentsDone: $0.documentsDone,
                    pagesDone: $0.pagesDone, pagesRecognized: $0.pagesRecognized, pagesPerMinute: $0.pagesPerMinute,
                    currentPath: $0.currentPath)
            })
    }
}

extension Duration {
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
