public import Foundation

/// One file known to the index. Stored in table `document`; `path` is unique.
///
/// `device` and `inode` are `UInt64` on Linux (`stat`); SQLite has only signed 64-bit integers, so
/// callers store them bit-cast: `Int64(bitPattern: st.st_ino)`, and read them back with
/// `UInt64(bitPattern:)`.
public struct DocumentRecord: Codable, Sendable, Equatable {
    public var id: Int64?
    public var rootId: Int64
    public var path: String
    public var device: Int64
    public var inode: Int64
    public var size: Int64
    public var mtimeNanoseconds: Int64
    public var contentHash: String?
    public var status: DocumentStatus
    /// Why the document is `failed` or `skipped`; nil when indexed.
    public var reason: String?
    /// The text encoding found by the extractor, e.g. "utf-8".
    public var encoding: String?
    /// The extractor's name for the file type, e.g. "markdown", "pdf".
    public var kind: String?
    /// Set by the store to the number of chunks saved with the document.
    public var chunkCount: Int
    /// Stored with millisecond precision.
    public var indexedAt: Date
    /// The document format an extractor read it as ("pdf", "docx", …); nil for text read in-process.
    public var format: String? = nil
    /// The extractor and its library, e.g. "pdf (poppler 22.12.0)".
    public var extractor: String? = nil
    /// Pages, slides or sheets, where the format has them.
    public var pageCount: Int? = nil
    /// What could not be read without stopping the rest, one sentence each.
    public var problems: [String] = []
    /// Consecutive times this content (`contentHash`) killed the extractor; quarantined at 2.
    public var crashCount = 0
    /// Pages of this content waiting for OCR, which the indexer does after the cheap documents of a
    /// pass (the text layer of a PDF is searchable meanwhile); nil when none wait. A document with
    /// pages waiting is read again by the next pass, also after a restart.
    public var ocrPendingPages: Int? = nil
    /// Pages whose text OCR recognised, once OCR has read this content (`contentHash`), also when it
    /// found nothing usable; nil when OCR has not. Such a document is not recognised again until its
    /// content changes.
    public var ocrPages: Int? = nil

    /// The fingerprint of the extractors that read it (``DocumentExtracting``'s `fingerprint`): a
    /// document they failed on is not read again until its file or they change. Nil when no extractor
    /// gave an answer about this content (text read in-process, a file that could not be opened, a
    /// format the settings leave out, an extractor that could not start).
    public var extractedWith: String? = nil

    /// Killed the extractor twice: not read again until its content changes.
    public var isQuarantined: Bool { crashCount >= 2 }

    public init(
        id: Int64? = nil, rootId: Int64, path: String, device: Int64, inode: Int64, size: Int64,
        mtimeNanoseconds: Int64, contentHash: String?, status: DocumentStatus, reason: String?,
        encoding: String?, kind: String?, chunkCount: Int, indexedAt: Date
    ) {
        self.id = id
        self.rootId = rootId
        self.path = path
        self.device = device
        self.inode = inode
        self.size = size
        self.mtimeNanoseconds = mtimeNanoseconds
        self.contentHash = contentHash
        self.status = status
        self.reason = reason
        self.encoding = encoding
        self.kind = kind
        self.chunkCount = chunkCount
        self.indexedAt = indexedAt
    }
}
