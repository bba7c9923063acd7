/// Which extractor reads a file: by its extension first, and by its first bytes where the extension
/// is missing or says nothing (Maildir message files, attachments named "document", a PDF saved as
/// ".bin").
extension DocumentFormat {
    /// The format of the file named `fileName` (at `path`, if known) whose first bytes are `prefix`
    /// (4 KB is plenty), or nil if it is not a document format (plain text, code, images, …).
    ///
    /// A Maildir message is recognised by its place: a file directly in a `cur/` or `new/` folder
    /// whose parent also has `tmp/` — the caller checks for the sibling folders, this looks at the
    /// path and at the bytes (an RFC 822 header block).
    public static func detect(fileName: String, path: String? = nil, prefix: some Collection<UInt8>) -> DocumentFormat? {
        let head = Array(prefix.prefix(4096))
        let lowercasedName = fileName.lowercased()
        let fileExtension = lowercasedName.contains(".") ? String(lowercasedName.split(separator: ".").last ?? "") : ""
        if let format = byExtension[fileExtension] {
            // A ZIP-based extension on a file that is not a ZIP (or a PDF named .docx) is sniffed instead.
            if let sniffed = sniff(head), sniffed != format, sniffed == .pdf || !head.starts(with: [0x50, 0x4B]) {
                return sniffed
            }
            return format
        }
        if let sniffed = sniff(head) { return sniffed }
        if let path, isMaildirMessage(path), looksLikeMessage(head) { return .eml }
        return nil
    }

    /// Extensions of the formats, lowercased.
    static let byExtension: [String: DocumentFormat] = [
        "pdf": .pdf, "docx": .docx, "docm": .docx, "dotx": .docx, "odt": .odt, "ott": .odt, "rtf": .rtf,
        "pptx": .pptx, "pptm": .pptx, "ppsx": .pptx, "odp": .odp, "xlsx": .xlsx, "xlsm": .xlsx, "ods": .ods,
        "csv": .csv, "tsv": .tsv, "tab": .tsv, "html": .html, "htm": .html, "xhtml": .html, "xht": .html, "shtml": .html,
        "epub": .epub, "eml": .eml, "mbox": .mbox, "mbx": .mbox, "ipynb": .ipynb,
        "png": .png, "jpg": .jpeg, "jpeg": .jpeg, "tif": .tiff, "tiff": .tiff, "webp": .webp,
    ]

    /// The format a MIME type names, for attachments without a usable file name.
    public init?(mimeType: String) {
        let type = mimeType.lowercased()
        let table: [String: DocumentFormat] = [
            "application/pdf": .pdf, "application/rtf": .rtf, "text/rtf": .rtf, "text/csv": .csv,
            "text/tab-separated-values": .tsv, "text/html": .html, "application/xhtml+xml": .html,
            "application/epub+zip": .epub, "message/rfc822": .eml, "application/mbox": .mbox,
            "application/x-ipynb+json": .ipynb, "image/png": .png, "image/jpeg": .jpeg, "image/tiff": .tiff,
            "image/webp": .webp,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": .docx,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation": .pptx,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": .xlsx,
            "application/vnd.oasis.opendocument.text": .odt,
            "application/vnd.oasis.opendocument.presentation": .odp,
            "application/vnd.oasis.opendocument.spreadsheet": .ods,
        ]
        guard let format = table[type] else { return nil }
        self = format
    }

    /// The format the first bytes prove, if any: `%PDF-`, `{\rtf`, a ZIP whose first entry is an
    /// OpenDocument/EPUB `mimetype` or an OOXML part, an mbox `From ` line.
    static func sniff(_ head: [UInt8]) -> DocumentFormat? {
        if head.prefix(1024).firstRange(of: Array("%PDF-".utf8)) != nil { return .pdf }
        if head.starts(with: Array("{\\rtf".utf8)) { return .rtf }
        if let image = sniffImage(head) { return image }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]), head.count > 30 {
            // Local file header: name length at 26, extra length at 28, name at 30, data after.
            let nameLength = Int(head[26]) | Int(head[27]) << 8
            let extraLength = Int(head[28]) | Int(head[29]) << 8
            guard 30 + nameLength <= head.count else { return nil }
            let name = String(decoding: head[30..<(30 + nameLength)], as: UTF8.self)
            if name == "mimetype" {
                let dataStart = 30 + nameLength + extraLength
                let mimetype = String(decoding: head[min(dataStart, head.count)..<min(dataStart + 80, head.count)], as: UTF8.self)
                if mimetype.hasPrefix("application/epub+zip") { return .epub }
                if mimetype.hasPrefix("application/vnd.oasis.opendocument.text") { return .odt }
                if mimetype.hasPrefix("application/vnd.oasis.opendocument.presentation") { return .odp }
                if mimetype.hasPrefix("application/vnd.oasis.opendocument.spreadsheet") { return .ods }
            }
            let names = String(decoding: head, as: UTF8.self)
            if names.contains("word/") { return .docx }
            if names.contains("ppt/") { return .pptx }
            if names.contains("xl/") { return .xlsx }
            return nil
        }
        if head.starts(with: Array("From ".utf8)), let lineEnd = head.firstIndex(of: 0x0A),
            looksLikeMessage(Array(head[(lineEnd + 1)...])) {
            return .mbox
        }
        return nil
    }

    /// An RFC 822 header block: the first lines are `Name: value` and at least two of them are
    /// headers every message has (From, Date, Subject, Message-ID, Received, Return-Path, …).
    static func looksLikeMessage(_ head: [UInt8]) -> Bool {
        let known: Set<String> = [
            "from", "to", "date", "subject", "message-id", "received", "return-path", "mime-version", "delivered-to",
            "x-mailer", "content-type", "reply-to", "cc", "dkim-signature", "authentication-results",
        ]
        var matches = 0
        for line in String(decoding: head, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).prefix(40) {
            if line.isEmpty || line == "\r" { break }
            if line.first == " " || line.first == "\t" { continue }
            guard let colon = line.firstIndex(of: ":") else { return false }
            let name = line[..<colon].lowercased()
            if name.contains(" ") { return false }
            if known.contains(name) { matches += 1 }
        }
        return matches >= 2
    }

    /// A file directly inside a Maildir's `cur/` or `new/` folder.
    static func isMaildirMessage(_ path: String) -> Bool {
        let components = path.split(separator: "/")
        guard components.count >= 2 else { return false }
        let folder = components[components.count - 2]
        return folder == "cur" || folder == "new"
    }
}

extension DocumentFormat {
    /// Images are read by OCR only.
    public var isImage: Bool {
        switch self {
        case .png, .jpeg, .tiff, .webp: return true
        default: return false
        }
    }

    /// Formats whose pages may need OCR: images, and PDFs (scanned pages have no text layer).
    public var mayNeedOCR: Bool { isImage || self == .pdf }

    /// The image format the signature at the start proves: PNG, JPEG (SOI + a marker), TIFF (either
    /// byte order), WebP (RIFF….WEBP).
    static func sniffImage(_ head: [UInt8]) -> DocumentFormat? {
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if head.starts(with: [0x49, 0x49, 0x2A, 0x00]) || head.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) { return .tiff }
        if head.count >= 12, head.starts(with: Array("RIFF".utf8)), Array(head[8..<12]) == Array("WEBP".utf8) { return .webp }
        return nil
    }
}
