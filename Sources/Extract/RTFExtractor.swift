/// Rich Text Format: paragraphs in order, `\outlinelevel` paragraphs (Word writes it for its
/// heading styles) as `#` headings, table rows as lines of ` | `-joined cells. Destinations a
/// reader does not see are skipped (font, colour and style tables, document info, pictures, objects,
/// headers and footers, field instructions, and every `{\*\…}` group); `\'hh` bytes are decoded in the
/// document's code page (`\ansicpg`, windows-1252 by default) and `\uN` as Unicode with its
/// fallback characters skipped. Tracked changes read as accepted (`\deleted` text dropped, inserted
/// text kept), and hidden text (`\v`), which no reader sees, is dropped as HTML's hidden elements are.
struct RTFExtractor {
    private static let skippedDestinations: Set<String> = [
        "fonttbl", "colortbl", "stylesheet", "info", "pict", "object", "header", "headerl", "headerr", "headerf", "footer",
        "footerl", "footerr", "footerf", "fldinst", "themedata", "colorschememapping", "datastore", "latentstyles",
        "listtable", "listoverridetable", "rsidtbl", "generator", "xmlnstbl", "mmathPr", "pgdsctbl", "filetbl", "revtbl",
        "nonshppict", "shppict", "bkmkstart", "bkmkend", "xe", "tc", "txe", "private", "userprops", "docvar", "blipuid",
        "listtext", "pntext", "pntxta", "pntxtb", "sp", "sv", "atnauthor", "atnid", "annotation", "atrfstart", "atrfend",
    ]

    private struct State {
        var isSkipped = false
        /// Character formatting: text deleted with change tracking on, and hidden text.
        var isDeleted = false
        var isHidden = false
        /// Text of this group reaches the document.
        var showsText: Bool { !isSkipped && !isDeleted && !isHidden }
        var unicodeSkip = 1
        var outlineLevel: Int?
    }

    private let bytes: [UInt8]
    private var position = 0
    private var codePage = 1252
    private var state = State()
    private var stack: [State] = []
    private var paragraph = ""
    private var pendingBytes: [UInt8] = []
    private var skipFallback = 0

    static func extract(_ bytes: [UInt8], fileName: String, limits: ExtractionLimits) throws(ExtractionFailure) -> ExtractedDocument {
        guard bytes.starts(with: Array("{\\rtf".utf8)) else {
            throw ExtractionFailure(.corrupt, "\(fileName) does not start with {\\rtf: not an RTF document")
        }
        var extractor = RTFExtractor(bytes: bytes)
        var builder = DocumentBuilder(limits: limits)
        try extractor.run(into: &builder, maxDepth: limits.maxNestingDepth)
        return builder.build(format: .rtf, extractor: "rtf")
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func run(into builder: inout DocumentBuilder, maxDepth: Int) throws(ExtractionFailure) {
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "{"):
                stack.append(state)
                if stack.count > maxDepth {
                    throw ExtractionFailure(.limitExceeded, "RTF groups are nested more than \(maxDepth) deep (maxNestingDepth)")
                }
            case UInt8(ascii: "}"):
                flushBytes()
                if let previous = stack.popLast() {
                    let outline = state.outlineLevel
                    state = previous
                    // A heading's group often ends before its \par: keep the level for that paragraph.
                    if state.outlineLevel == nil, outline != nil, !paragraph.isEmpty { state.outlineLevel = outline }
                }
            case UInt8(ascii: "\\"):
                try controlWord(into: &builder)
            case 0x0A, 0x0D:
                continue
            default:
                guard state.showsText else { continue }
                if skipFallback > 0 {
                    skipFallback -= 1
                    continue
                }
                flushBytes()
                paragraph.unicodeScalars.append(Unicode.Scalar(byte))
                if byte >= 0x80 {
                    // Raw 8-bit text is in the code page, like \'hh.
                    paragraph.unicodeScalars.removeLast()
                    pendingBytes.append(byte)
                }
            }
        }
        flushBytes()
        try flushParagraph(into: &builder)
    }

    private mutating func controlWord(into builder: inout DocumentBuilder) throws(ExtractionFailure) {
        guard position < bytes.count else { return }
        let first = bytes[position]
        if !HTMLTokenizer.isLetter(first) {
            position += 1
            switch first {
            case UInt8(ascii: "'"):
                guard position + 2 <= bytes.count, let value = UInt8(String(decoding: bytes[position..<position + 2], as: UTF8.self), radix: 16)
                else { return }
                position += 2
                guard state.showsText else { return }
                if skipFallback > 0 {
                    skipFallback -= 1
                    return
                }
                pendingBytes.append(value)
            case UInt8(ascii: "*"):
                state.isSkipped = true
            case UInt8(ascii: "~"):
                emit("\u{00A0}")
            case UInt8(ascii: "_"):
                emit("-")
            case UInt8(ascii: "-"):
                break  // optional hyphen
            case UInt8(ascii: "\\"), UInt8(ascii: "{"), UInt8(ascii: "}"):
                emit(String(UnicodeScalar(first)))
            case 0x0A, 0x0D:
                try paragraphBreak(into: &builder)
            default:
                break
            }
            return
        }
        let start = position
        while position < bytes.count, HTMLTokenizer.isLetter(bytes[position]) { position += 1 }
        let word = String(decoding: bytes[start..<position], as: UTF8.self)
        var parameter: Int?
        let numberStart = position
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
        while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39, position - numberStart < 10 { position += 1 }
        if position > numberStart { parameter = Int(String(decoding: bytes[numberStart..<position], as: UTF8.self)) }
        if position < bytes.count, bytes[position] == UInt8(ascii: " ") { position += 1 }

        if Self.skippedDestinations.contains(word) {
            state.isSkipped = true
            return
        }
        switch word {
        case "par", "sect", "page":
            try paragraphBreak(into: &builder)
        case "line":
            emit("\n")
        case "tab":
            emit("\t")
        case "cell", "nestcell":
            emit(" | ")
        case "row", "nestrow":
            emit("\n")
        case "pard":
            state.outlineLevel = nil
        case "deleted":
            state.isDeleted = parameter != 0
        case "v":
            state.isHidden = parameter != 0
        case "plain":
            state.isDeleted = false
            state.isHidden = false
        case "outlinelevel":
            if let parameter, (0..<9).contains(parameter) { state.outlineLevel = parameter + 1 }
        case "ansicpg":
            if let parameter, parameter > 0 { codePage = parameter }
        case "uc":
            if let parameter, parameter >= 0, parameter < 10 { state.unicodeSkip = parameter }
        case "u":
            guard let parameter else { return }
            let value = parameter < 0 ? parameter + 65_536 : parameter
            if state.showsText {
                flushBytes()
                paragraph.unicodeScalars.append(Unicode.Scalar(UInt32(clamping: value)) ?? "\u{FFFD}")
            }
            skipFallback = state.unicodeSkip
        case "bin":
            position = min(bytes.count, position + max(0, parameter ?? 0))
        case "emdash": emit("—")
        case "endash": emit("–")
        case "lquote": emit("‘")
        case "rquote": emit("’")
        case "ldblquote": emit("“")
        case "rdblquote": emit("”")
        case "bullet": emit("•")
        default:
            break
        }
    }

    private mutating func emit(_ text: String) {
        guard state.showsText else { return }
        flushBytes()
        skipFallback = 0
        paragraph += text
    }

    private mutating func flushBytes() {
        guard !pendingBytes.isEmpty else { return }
        paragraph += codePage == 1252 ? Charset.windows1252(pendingBytes) : Charset.decode(pendingBytes, charset: "CP\(codePage)")
        pendingBytes.removeAll()
    }

    private mutating func paragraphBreak(into builder: inout DocumentBuilder) throws(ExtractionFailure) {
        guard !state.isSkipped else { return }
        flushBytes()
        try flushParagraph(into: &builder)
    }

    private mutating func flushParagraph(into builder: inout DocumentBuilder) throws(ExtractionFailure) {
        let text = paragraph
        paragraph = ""
        skipFallback = 0
        let level = state.outlineLevel
        if let level {
            try builder.heading(text, level: level)
        } else {
            try builder.paragraph(text)
        }
    }
}
