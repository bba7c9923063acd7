// The wire format of `POST /v1/passages`: stored text of an indexed document by line or page range.
// Field names are part of the stable contract documented in docs/openapi.yaml.

import Foundation

/// A range of one indexed document to read back from the index (never from the file itself).
public struct PassageRequest: Codable, Sendable, Equatable {
    /// The document's absolute path, as search results give it.
    public var path: String
    /// First and last line (1-based, inclusive); absent: from the start, to the end.
    public var lineStart: Int?
    public var lineEnd: Int?
    /// First and last page of a paged format (PDF); instead of lines.
    public var pageStart: Int?
    public var pageEnd: Int?
    /// Most bytes of text to return (default 16384, at most 262144); `truncated` says when more was there.
    public var maxBytes: Int?

    public init(path: String, lineStart: Int? = nil, lineEnd: Int? = nil, pageStart: Int? = nil, pageEnd: Int? = nil, maxBytes: Int? = nil) {
        self.path = path
        self.lineStart = lineStart
        self.lineEnd = lineEnd
        self.pageStart = pageStart
        self.pageEnd = pageEnd
        self.maxBytes = maxBytes
    }
}

/// The stored chunks that overlap the requested range, in document order.
public struct PassageResponse: Codable, Sendable {
    public var path: String
    public var documentId: Int64
    /// Lines the document's chunks cover (the last chunk's last line).
    public var totalLines: Int
    public var chunks: [PassageChunk]
    /// True when `maxBytes` cut the range short.
    public var truncated: Bool

    public init(path: String, documentId: Int64, totalLines: Int, chunks: [PassageChunk], truncated: Bool) {
        self.path = path
        self.documentId = documentId
        self.totalLines = totalLines
        self.chunks = chunks
        self.truncated = truncated
    }
}

/// One stored passage of a document.
public struct PassageChunk: Codable, Sendable {
    public var chunkId: Int64
    public var ordinal: Int
    public var lineStart: Int
    public var lineEnd: Int
    public var page: Int?
    public var section: String?
    public var text: String

    public init(chunkId: Int64, ordinal: Int, lineStart: Int, lineEnd: Int, page: Int?, section: String?, text: String) {
        self.chunkId = chunkId
        self.ordinal = ordinal
        self.lineStart = lineStart
        self.lineEnd = lineEnd
        self.page = page
        self.section = section
        self.text = text
    }
}
