import Foundation

/// E-mail: `.eml` files (and Maildir message files, which are the same thing) and mbox mailboxes.
///
/// Each message is a part labelled with its subject in quotes, `"Lease renewal"`, and starts with
/// its subject as a heading and a From/To/Cc/Date block, so a citation shows who wrote when. The
/// body is its `text/plain` (the HTML alternative only when there is no plain text, read by the
/// HTML extractor), transfer encodings and charsets decoded. Attachments of a format the extractors
/// read are extracted by them and follow the body as parts labelled `"Lease renewal" › lease.pdf`
/// (with the attached PDF's page numbers); others are listed in `problems`.
struct MailExtractor {
    private let limits: ExtractionLimits
    private let depth: Int
    /// Recognises attached scans and images, as for files.
    private let ocr: OCREngine?
    private var problems: [String] = []

    static func extract(
        _ bytes: [UInt8], format: DocumentFormat, fileName: String, limits: ExtractionLimits, depth: Int, ocr: OCREngine? = nil
    ) throws(ExtractionFailure) -> ExtractedDocument {
        var extractor = MailExtractor(limits: limits, depth: depth, ocr: ocr)
        var builder = DocumentBuilder(limits: limits)
        let messages = format == .mbox ? Self.mboxMessages(bytes) : [bytes[...]]
        if format == .mbox, messages.isEmpty {
            throw ExtractionFailure(.corrupt, "\(fileName) has no messages (no \"From \" lines): not an mbox mailbox")
        }
        for message in messages {
            try extractor.write(MIMEPart(message), into: &builder)
        }
        if builder.isEmpty {
            throw ExtractionFailure(.noText, "\(fileName) has no readable text in its messages")
        }
        return builder.build(
            format: format, extractor: format.rawValue, pageCount: format == .mbox ? messages.count : nil,
            problems: extractor.problems)
    }

    private init(limits: ExtractionLimits, depth: Int, ocr: OCREngine?) {
        self.limits = limits
        self.depth = depth
        self.ocr = ocr
    }

    /// The messages of an mbox: split at "From " lines at the start or after an empty line;
    /// ">From " quoting is undone (mboxrd: one `>` from every `>+From ` line).
    static func mboxMessages(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        let from = Array("From ".utf8)
        var starts: [Int] = []
        var index = 0
        var previousLineEmpty = true
        while index < bytes.count {
            var lineEnd = index
            while lineEnd < bytes.count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
            let line = bytes[index..<lineEnd]
            if previousLineEmpty, line.starts(with: from) { starts.append(index) }
            previousLineEmpty = line.isEmpty || line == [0x0D]
            index = lineEnd + 1
        }
        return starts.enumerated().map { offset, start in
            let end = offset + 1 < starts.count ? starts[offset + 1] : bytes.count
            var lineEnd = start
            while lineEnd < end, bytes[lineEnd] != 0x0A { lineEnd += 1 }
            return unquoteFrom(bytes[min(lineEnd + 1, end)..<end])
        }
    }

    private static func unquoteFrom(_ message: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard message.firstRange(of: Array("\n>".utf8)) != nil else { return message }
        var out: [UInt8] = []
        out.reserveCapacity(message.count)
        var atLineStart = true
        var index = message.startIndex
        while index < message.endIndex {
            let byte = message[index]
            if atLineStart, byte == UInt8(ascii: ">") {
                var probe = index
                while probe < message.endIndex, message[probe] == UInt8(ascii: ">") { probe += 1 }
                if message[probe...].starts(with: Array("From ".utf8)) {
                    index += 1  // drop one ">"
                    atLineStart = false
                    continue
                }
            }
            out.append(byte)
            atLineStart = byte == 0x0A
            index += 1
        }
        return out[...]
    }

    // MARK: - One message

    private mutating func write(_ message: MIMEPart, into builder: inout DocumentBuilder) throws(ExtractionFailure) {
        let subject = message.header("Subject").map { DocumentBuilder.oneLine($0) } ?? ""
        let label = "\"\(subject.isEmpty ? "(no subject)" : subject)\""
        builder.beginPart(label: label)
        try builder.heading(subject.isEmpty ? "(no subject)" : subject, level: 1)
        let block = ["From", "To", "Cc", "Date"].compactMap { name in
            message.header(name).map { "\(name): " + DocumentBuilder.oneLine($0) }
        }
        try builder.paragraph((block + ["Subject: " + subject]).joined(separator: "\n"))
        var attachments: [(name: String, part: MIMEPart)] = []
        try writeBody(message, nesting: 0, into: &builder, attachments: &attachments)
        builder.endPart()
        for attachment in attachments {
            try writeAttachment(attachment.part, name: attachment.name, messageLabel: label, into: &builder)
        }
    }

    /// The readable text of `part` into `builder`; attachments collected for after the body.
    private mutating func writeBody(
        _ part: MIMEPart, nesting: Int, into builder: inout DocumentBuilder, attachments: inout [(name: String, part: MIMEPart)]
    ) throws(ExtractionFailure) {
        if nesting > limits.maxNestingDepth {
            throw ExtractionFailure(.limitExceeded, "MIME parts are nested more than \(limits.maxNestingDepth) deep (maxNestingDepth)")
        }
        let type = part.contentType
        let disposition = part.header("Content-Disposition")?.lowercased() ?? ""
        let name = part.parameter("filename", of: "Content-Disposition") ?? part.parameter("name", of: "Content-Type")
        if nesting > 0, disposition.hasPrefix("attachment") || (name != nil && !type.hasPrefix("text/plain") && !type.hasPrefix("multipart/")) {
            attachments.append((name ?? "attachment", part))
            return
        }
        if type.hasPrefix("multipart/") {
            let children = part.multipartParts()
            if type == "multipart/alternative" {
                let chosen = children.first { $0.contentType == "text/plain" && !isBlank($0) }
                    ?? children.first { $0.contentType == "text/html" }
                    ?? children.last { $0.contentType.hasPrefix("multipart/") }
                    ?? children.first
                if let chosen { try writeBody(chosen, nesting: nesting + 1, into: &builder, attachments: &attachments) }
                return
            }
            for child in children {
                try writeBody(child, nesting: nesting + 1, into: &builder, attachments: &attachments)
            }
            return
        }
        let charset = part.parameter("charset", of: "Content-Type")
        switch type {
        case "text/plain", "text/markdown", "text/x-markdown":
            let text = Charset.decode(part.decodedBody, charset: charset)
            for paragraph in text.replacingLineBreaks().components(separatedBy: "\n\n") {
                try builder.paragraph(paragraph)
            }
        case "text/html":
            try HTMLExtractor.render(part.decodedBody, charset: charset, writesTitle: false, into: &builder, limits: limits)
        case "message/rfc822", "message/global":
            attachments.append((name ?? "forwarded message.eml", part))
        default:
            if nesting > 0 { attachments.append((name ?? "attachment", part)) }
        }
    }

    private func isBlank(_ part: MIMEPart) -> Bool {
        part.decodedBody.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
    }

    private mutating func writeAttachment(
        _ part: MIMEPart, name: String, messageLabel: String, into builder: inout DocumentBuilder
    ) throws(ExtractionFailure) {
        let type = part.contentType
        let bytes = part.decodedBody
        let format = type.hasPrefix("message/")
            ? DocumentFormat.eml
            : DocumentFormat.detect(fileName: name, path: nil, prefix: bytes.prefix(4096)) ?? DocumentFormat(mimeType: type)
        guard let format else {
            problems.append("attachment \(name) (\(type)): this kind of file is not read")
            return
        }
        guard depth + 1 <= limits.maxNestingDepth, depth < 8 else {
            problems.append("attachment \(name): nested too deep in attachments to be read")
            return
        }
        do {
            let document = try Extraction.extract(bytes, format: format, fileName: name, limits: limits, depth: depth + 1, ocr: ocr)
            try builder.append(document, label: nil, labelPrefix: messageLabel + " › " + name)
            problems += document.problems.map { "attachment \(name): \($0)" }
        } catch {
            if error.code == .limitExceeded, error.message.contains("maxTextBytes") { throw error }
            problems.append("attachment \(name): \(error.message)")
        }
    }
}

private extension String {
    /// CRLF and lone CR to LF, so paragraphs split at blank lines whatever the sender's line ends.
    func replacingLineBreaks() -> String {
        replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }
}
