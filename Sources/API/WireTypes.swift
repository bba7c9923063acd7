// The wire format of the socket API, shared by the daemon, the CLI and the tests.
// Field names are part of the stable contract documented in docs/openapi.yaml: add fields, never rename.

public import Foundation

/// The API version prefix of every route.
public let apiPrefix = "/v1"

// MARK: - Errors

/// The JSON body of every error response: `{"error": {"code", "message"}}`.
public struct ErrorBody: Codable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }
    public var error: Detail
    public init(code: String, message: String) { error = Detail(code: code, message: message) }
}

/// Stable error codes. Clients may switch on them; messages may change.
public enum ErrorCode: String, Codable, Sendable, CaseIterable {
    case invalidJSON = "invalid_json"
    case badRequest = "bad_request"
    case notFound = "not_found"
    case methodNotAllowed = "method_not_allowed"
    case payloadTooLarge = "payload_too_large"
    case emptyQuery = "empty_query"
    case invalidMode = "invalid_mode"
    case modeUnavailable = "mode_unavailable"
    case rootNotFound = "root_not_found"
    case rootNotDirectory = "root_not_directory"
    case rootNotAbsolute = "root_not_absolute"
    case rootExists = "root_exists"
    case rootOverlaps = "root_overlaps"
    case unknownRoot = "unknown_root"
    case invalidGlob = "invalid_glob"
    case shuttingDown = "shutting_down"
    case internalError = "internal"
    /// No decoder model is installed or configured (`Scripts/fetch-models decoders` installs them).
    case decoderUnavailable = "decoder_unavailable"
    /// The decoder is still being loaded; retry after the `Retry-After` seconds.
    case decoderLoading = "decoder_loading"
    /// `model` names no configured decoder.
    case unknownModel = "unknown_model"
    /// The decoder's queue is full; retry after the `Retry-After` seconds.
    case queueFull = "queue_full"
    /// The request's time limit passed before the decoder got to it.
    case timeLimit = "time_limit"
    /// The decoder failed while answering.
    case generationFailed = "generation_failed"
    /// The client closed its connection before its answer was complete (status 499, which it
    /// never reads; the daemon logs it).
    case clientClosed = "client_closed"
    /// Only root, the daemon's user and members of the admin group may change the index.
    case forbidden = "forbidden"
    /// The daemon cannot tell who is on the other end of the connection (no peer credentials).
    case unknownPeer = "unknown_peer"
    /// The daemon has as many connections open as it allows (`[server] max_connections`); retry
    /// after the `Retry-After` seconds.
    case tooManyConnections = "too_many_connections"
    /// A path holds a NUL or another control character, which no path the daemon indexes can hold.
    case invalidPath = "invalid_path"
    /// The supplied `context` of an ask is larger than the decoder's window can take.
    case contextTooLarge = "context_too_large"
    /// The input is longer than the model's window (OpenAI's code for it).
    case contextLengthExceeded = "context_length_exceeded"
    /// `/v1/passages` names a path that is not an indexed document.
    case documentNotIndexed = "document_not_indexed"
    /// The request came from a web browser (it carried `Origin` or `Sec-Fetch-Mode`); refused.
    case browserRequest = "browser_request"
}

// MARK: - Status

public struct StatusResponse: Codable, Sendable {
    public var version: String
    public var pid: Int32
    public var startedAt: Date
    public var uptimeSeconds: Double
    public var socket: String
    public var database: DatabaseInfo
    public var counts: Counts
    public var indexing: IndexProgress
    /// The encoder and its vectors; nil when no encoder is loaded (see `denseSearch`).
    public var embedding: EmbeddingStatus?
    public var denseSearch: DenseSearchStatus
    public var lastError: LastError?
    /// The decoders that answer questions and their queue; nil from daemons without answers.
    public var decoder: DecoderStatus?
    /// Whether scans and images are read by OCR, and how far it got; nil from daemons without OCR.
    public var ocr: OCRStatus?

    public struct OCRStatus: Codable, Sendable, Equatable {
        public var enabled: Bool
        public var languages: [String]
        /// "tesseract 5.3.0" when enabled.
        public var engine: String?
        /// Why OCR is off.
        public var reason: String?
        /// Pages recognised (their text indexed) since the daemon started, and the rate of pages OCR
        /// went through over the time spent on them.
        public var pages: Int
        public var pagesPerMinute: Double
        /// The file name of the document in OCR now.
        public var currentDocument: String?
        /// Pages and documents waiting for OCR, which runs after the other documents of a pass
        /// (`indexing.ocr` has the rest of its progress).
        public var pagesToDo: Int?
        public var documentsToDo: Int?

        public init(
            enabled: Bool, languages: [String], engine: String?, reason: String?, pages: Int = 0,
            pagesPerMinute: Double = 0, currentDocument: String? = nil, pagesToDo: Int? = nil, documentsToDo: Int? = nil
        ) {
            self.enabled = enabled
            self.languages = languages
            self.engine = engine
            self.reason = reason
            self.pages = pages
            self.pagesPerMinute = pagesPerMinute
            self.currentDocument = currentDocument
            self.pagesToDo = pagesToDo
            self.documentsToDo = documentsToDo
        }
    }

    public struct EmbeddingStatus: Codable, Sendable {
        public var model: String
        public var fingerprint: String
        public var dimension: Int
        /// idle or embedding.
        public var state: String
        public var embedded: Int
        public var chunks: Int
        public var chunksPerSecond: Double
        /// True once this model's vectors are the ones search uses.
        public var active: Bool
        public var lastError: String?
        public init(
            model: String, fingerprint: String, dimension: Int, state: String, embedded: Int, chunks: Int,
            chunksPerSecond: Double, active: Bool, lastError: String?
        ) {
            self.model = model
            self.fingerprint = fingerprint
            self.dimension = dimension
            self.state = state
            self.embedded = embedded
            self.chunks = chunks
            self.chunksPerSecond = chunksPerSecond
            self.active = active
            self.lastError = lastError
        }
    }

    public struct DenseSearchStatus: Codable, Sendable {
        public var available: Bool
        /// Vectors held in memory for dense search.
        public var vectors: Int
        /// Why dense search is not available.
        public var reason: String?
        public init(available: Bool, vectors: Int, reason: String?) {
            self.available = available
            self.vectors = vectors
            self.reason = reason
        }
    }

    public struct DatabaseInfo: Codable, Sendable {
        public var path: String
        /// Bytes on disk: the database file plus its WAL. nil for a caller who does not see every
        /// document: the size grows with what others have indexed.
        public var sizeBytes: Int64?
        public init(path: String, sizeBytes: Int64?) {
            self.path = path
            self.sizeBytes = sizeBytes
        }
    }

    public struct Counts: Codable, Sendable, Equatable {
        public var roots: Int
        public var documents: Int
        public var indexed: Int
        public var failed: Int
        public var skipped: Int
        public var chunks: Int
        /// Indexed documents by format, or by kind for text read directly: {"pdf": 3, "markdown": 12}.
        public var byFormat: [String: Int]?
        /// Of the failed documents, those that killed the extractor twice and are not read again until
        /// they change (`sotto documents --failed` names them).
        public var quarantined: Int?
        public init(roots: Int, documents: Int, indexed: Int, failed: Int, skipped: Int, chunks: Int) {
            self.roots = roots
            self.documents = documents
            self.indexed = indexed
            self.failed = failed
            self.skipped = skipped
            self.chunks = chunks
        }
    }

    public struct LastError: Codable, Sendable {
        public var at: Date
        public var path: String?
        public var message: String
        public init(at: Date, path: String?, message: String) {
            self.at = at
            self.path = path
            self.message = message
        }
    }

    public init(
        version: String, pid: Int32, startedAt: Date, uptimeSeconds: Double, socket: String,
        database: DatabaseInfo, counts: Counts, indexing: IndexProgress, embedding: EmbeddingStatus?,
        denseSearch: DenseSearchStatus, lastError: LastError?, decoder: DecoderStatus? = nil, ocr: OCRStatus? = nil
    ) {
        self.version = version
        self.pid = pid
        self.startedAt = startedAt
        self.uptimeSeconds = uptimeSeconds
        self.socket = socket
        self.database = database
        self.counts = counts
        self.indexing = indexing
        self.embedding = embedding
        self.denseSearch = denseSearch
        self.lastError = lastError
        self.decoder = decoder
        self.ocr = ocr
    }
}

/// Where the indexer is. Sent in `/v1/status` and as the events of the `/v1/index` stream.
public struct IndexProgress: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        /// Nothing to do; the index is in step with the disk as far as the daemon knows.
        case idle
        /// Walking the roots to find what changed.
        case scanning
        /// Extracting, chunking and storing changed files.
        case indexing
        /// Between passes, reading the scans and images a pass left for OCR (`ocr` says how far).
        case recognizing
    }
    public var state: State
    /// Files queued for (re)indexing that are not done yet.
    public var queued: Int
    /// Files handled in the current pass (indexed, skipped as unchanged, or failed).
    public var done: Int
    /// Files in the current pass (known once scanning ends; grows while the watcher adds files).
    public var total: Int
    /// Files that failed in the current pass.
    public var failed: Int
    public var currentPath: String?
    /// Files per second over the current pass.
    public var filesPerSecond: Double
    /// Incremented at the end of every pass; a client waits for a pass by waiting for this to grow.
    public var completedPasses: Int
    /// Scans and images left for OCR, which reads them after the other documents of a pass; nil
    /// when OCR is off.
    public var ocr: OCR?

    public struct OCR: Codable, Sendable, Equatable {
        /// Documents waiting for OCR or being read, and their pages.
        public var documentsToDo: Int
        public var pagesToDo: Int
        /// Since the daemon started: documents and pages OCR went through, and pages it recognised.
        public var documentsDone: Int
        public var pagesDone: Int
        public var pagesRecognized: Int
        /// Pages done per minute of OCR.
        public var pagesPerMinute: Double
        /// The document being read.
        public var currentPath: String?

        public init(
            documentsToDo: Int, pagesToDo: Int, documentsDone: Int, pagesDone: Int, pagesRecognized: Int,
            pagesPerMinute: Double, currentPath: String?
        ) {
            self.documentsToDo = documentsToDo
            self.pagesToDo = pagesToDo
            self.documentsDone = documentsDone
            self.pagesDone = pagesDone
            self.pagesRecognized = pagesRecognized
            self.pagesPerMinute = pagesPerMinute
            self.currentPath = currentPath
        }

        /// Nothing waits for OCR and nothing is being read.
        public var isIdle: Bool { documentsToDo == 0 && currentPath == nil }
    }

    public init(
        state: State, queued: Int, done: Int, total: Int, failed: Int, currentPath: String?,
        filesPerSecond: Double, completedPasses: Int, ocr: OCR? = nil
    ) {
        self.ocr = ocr
        self.state = state
        self.queued = queued
        self.done = done
        self.total = total
        self.failed = failed
        self.currentPath = currentPath
        self.filesPerSecond = filesPerSecond
        self.completedPasses = completedPasses
    }
}

// MARK: - Sources (roots)

public struct SourceRequest: Codable, Sendable {
    /// An absolute path to a directory.
    public var path: String
    /// Glob patterns of files to index; empty means every text file.
    public var include: [String]?
    /// Glob patterns to skip, added to the defaults unless `useDefaultExcludes` is false.
    public var exclude: [String]?
    public var useDefaultExcludes: Bool?
    public init(path: String, include: [String]? = nil, exclude: [String]? = nil, useDefaultExcludes: Bool? = nil) {
        self.path = path
        self.include = include
        self.exclude = exclude
        self.useDefaultExcludes = useDefaultExcludes
    }
}

public struct Source: Codable, Sendable, Equatable {
    public var path: String
    public var include: [String]
    public var exclude: [String]
    public var addedAt: Date
    public var documents: Int
    public var failed: Int
    public var exists: Bool
    public init(path: String, include: [String], exclude: [String], addedAt: Date, documents: Int, failed: Int, exists: Bool) {
        self.path = path
        self.include = include
        self.exclude = exclude
        self.addedAt = addedAt
        self.documents = documents
        self.failed = failed
        self.exists = exists
    }
}

public struct SourcesResponse: Codable, Sendable {
    public var sources: [Source]
    public init(sources: [Source]) { self.sources = sources }
}

public struct SourceRemoved: Codable, Sendable {
    public var path: String
    public var documentsRemoved: Int
    public init(path: String, documentsRemoved: Int) {
        self.path = path
        self.documentsRemoved = documentsRemoved
    }
}

// MARK: - Forget

/// `POST /v1/forget`: files or folders to erase from the index and keep out of it.
public struct ForgetRequest: Codable, Sendable {
    public var paths: [String]
    public init(paths: [String]) { self.paths = paths }
}

public struct ForgetResponse: Codable, Sendable {
    public struct Forgotten: Codable, Sendable {
        public var path: String
        public var documentsRemoved: Int
        public init(path: String, documentsRemoved: Int) {
            self.path = path
            self.documentsRemoved = documentsRemoved
        }
    }
    public var forgotten: [Forgotten]
    public init(forgotten: [Forgotten]) { self.forgotten = forgotten }
}

// MARK: - Audit

/// One request in the audit trail: who, when, what they asked, which documents they were given;
/// never the answer's text or passages.
public struct AuditRecord: Codable, Sendable, Equatable {
    public var at: Date
    public var uid: UInt32
    public var user: String?
    /// Method and path, e.g. `POST /v1/search`.
    public var endpoint: String
    public var status: Int
    /// The query or question, or the paths a change named.
    public var query: String?
    /// Paths of the documents the response named, best first.
    public var documents: [String]?
    public init(at: Date, uid: UInt32, user: String?, endpoint: String, status: Int, query: String?, documents: [String]?) {
        self.at = at
        self.uid = uid
        self.user = user
        self.endpoint = endpoint
        self.status = status
        self.query = query
        self.documents = documents
    }
}

public struct AuditResponse: Codable, Sendable {
    public var records: [AuditRecord]
    public init(records: [AuditRecord]) { self.records = records }
}

// MARK: - Search

public enum SearchMode: String, Codable, Sendable, CaseIterable {
    case bm25
    case dense
    case hybrid
}

public struct SearchRequest: Codable, Sendable {
    public var query: String
    public var limit: Int?
    public var mode: String?
    /// Only documents whose path starts with this prefix.
    public var pathPrefix: String?
    public init(query: String, limit: Int? = nil, mode: String? = nil, pathPrefix: String? = nil) {
        self.query = query
        self.limit = limit
        self.mode = mode
        self.pathPrefix = pathPrefix
    }
}

public struct HighlightRange: Codable, Sendable, Equatable {
    /// Offsets in Unicode scalars (code points) into `snippet`, half-open.
    public var start: Int
    public var end: Int
    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }
}

/// What `byteStart`/`byteEnd`/`lineStart`/`lineEnd` count in.
public enum TextLocator: String, Codable, Sendable, Equatable {
    /// The file's own bytes and lines, as it is on disk (text, Markdown, code).
    case file
    /// The text an extractor read from the document (PDF, Office, HTML, e-mail, …); `page`, `pageEnd`
    /// and `part` are what locates the passage in the file itself.
    case extracted
}

public struct SearchHit: Codable, Sendable, Equatable {
    public var path: String
    /// `[byteStart, byteEnd)` is the chunk's byte range in the file as it is on disk, or in the
    /// extracted text when `locator` is `extracted`.
    public var byteStart: Int
    public var byteEnd: Int
    /// 1-based, inclusive; lines of the extracted text when `locator` is `extracted`.
    public var lineStart: Int
    public var lineEnd: Int
    /// What the offsets and lines count in; always sent (nil only from an older server).
    public var locator: TextLocator?
    /// First page (PDF) or slide, and the last when the passage spans pages.
    public var page: Int?
    public var pageEnd: Int?
    /// A sheet, chapter or message path: `Sheet "March"`, `"Lease renewal" › lease.pdf`.
    public var part: String?
    /// Some of the text was recognised from an image and may hold recognition errors.
    public var ocr: Bool?
    /// Higher is better; comparable only within one response.
    public var score: Double
    /// The chunk's text.
    public var text: String
    /// The Markdown heading path the chunk sits under, if any.
    public var section: String?
    /// A short excerpt around the matches, and where the matches are in it.
    public var snippet: String
    public var highlights: [HighlightRange]
    public var chunkId: Int64
    public var documentId: Int64
    public var rank: Int

    public init(
        path: String, byteStart: Int, byteEnd: Int, lineStart: Int, lineEnd: Int, score: Double,
        text: String, section: String?, snippet: String, highlights: [HighlightRange],
        chunkId: Int64, documentId: Int64, rank: Int
    ) {
        self.path = path
        self.byteStart = byteStart
        self.byteEnd = byteEnd
        self.lineStart = lineStart
        self.lineEnd = lineEnd
        self.score = score
        self.text = text
        self.section = section
        self.snippet = snippet
        self.highlights = highlights
        self.chunkId = chunkId
        self.documentId = documentId
        self.rank = rank
    }
}

public struct SearchResponse: Codable, Sendable {
    public var query: String
    /// The mode that actually ran.
    public var mode: SearchMode
    public var hits: [SearchHit]
    public var tookMilliseconds: Double
    public init(query: String, mode: SearchMode, hits: [SearchHit], tookMilliseconds: Double) {
        self.query = query
        self.mode = mode
        self.hits = hits
        self.tookMilliseconds = tookMilliseconds
    }
}

// MARK: - Documents

public struct DocumentInfo: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case indexed
        case failed
        case skipped
    }
    public var path: String
    public var status: Status
    public var reason: String?
    public var sizeBytes: Int64
    public var modifiedAt: Date
    public var chunks: Int
    public var encoding: String?
    public var kind: String?
    public var indexedAt: Date
    /// The format an extractor read it as ("pdf", "docx", …); absent for text read directly.
    public var format: String?
    /// The extractor and its library, e.g. "pdf (poppler 22.12.0)".
    public var extractor: String?
    /// Pages, slides or sheets.
    public var pageCount: Int?
    /// What could not be read without stopping the rest, one sentence each.
    public var problems: [String]?
    /// The document killed the extractor twice and is not read again until it changes.
    public var quarantined: Bool?
    public init(
        path: String, status: Status, reason: String?, sizeBytes: Int64, modifiedAt: Date, chunks: Int,
        encoding: String?, kind: String?, indexedAt: Date
    ) {
        self.path = path
        self.status = status
        self.reason = reason
        self.sizeBytes = sizeBytes
        self.modifiedAt = modifiedAt
        self.chunks = chunks
        self.encoding = encoding
        self.kind = kind
        self.indexedAt = indexedAt
    }
}

public struct DocumentsResponse: Codable, Sendable {
    public var documents: [DocumentInfo]
    /// How many documents match the filter in all (the page may hold fewer).
    public var total: Int
    public init(documents: [DocumentInfo], total: Int) {
        self.documents = documents
        self.total = total
    }
}

// MARK: - Index

public struct IndexRequest: Codable, Sendable {
    /// Restrict the rescan to one root; nil rescans all.
    public var path: String?
    /// False: the stream ends when the pass is done, not when OCR has read the scans it left (which
    /// goes on in the background). Default true.
    public var waitForOCR: Bool?
    public init(path: String? = nil, waitForOCR: Bool? = nil) {
        self.path = path
        self.waitForOCR = waitForOCR
    }
}

// MARK: - Coding

/// The one JSON configuration both sides use: ISO-8601 dates, sorted keys (stable output).
public enum WireJSON {
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
