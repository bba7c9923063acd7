public import Extract

/// What sort of text a file holds, which decides how it is cut into chunks (Markdown and
/// reStructuredText headings become sections).
public enum FileKind: String, Sendable, CaseIterable {
    case markdown
    case restructuredText
    case plainText
    case code
    case config
}

extension FileKind {
    /// What a file name alone says about the file.
    enum NameVerdict: Equatable {
        case text(FileKind)
        /// Known binary format; the string names it for the error message.
        case binary(String)
        /// A document read by an extractor in the sandbox (PDF, Office, HTML, e-mail, …).
        case document(DocumentFormat)
        /// A document format that holds text, but needs an extractor Sotto does not have yet.
        case unsupported(String)
        /// Nothing known: decide by looking at the content.
        case unknown
    }

    /// Judges by extension (case-insensitive) or by well-known extensionless names.
    static func verdict(forFileName name: String) -> NameVerdict {
        if let kind = wellKnownNames[name] { return .text(kind) }
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return .unknown }
        let ext = name[name.index(after: dot)...].lowercased()
        if let format = documentExtensions[ext] { return .document(format) }
        if let kind = textExtensions[ext] { return .text(kind) }
        if let format = unsupportedExtensions[ext] { return .unsupported(format) }
        if binaryExtensions.contains(ext) { return .binary(ext) }
        return .unknown
    }

    /// The document format of the file at `path`, by its extension, or a message file of a Maildir
    /// folder (`…/cur/1700000000.M1P2.host:2,S`, `…/new/…`), whose names have no extension to go by.
    public static func documentFormat(forPath path: String) -> DocumentFormat? {
        let components = path.split(separator: "/")
        guard let name = components.last.map(String.init) else { return nil }
        if case .document(let format) = verdict(forFileName: name) { return format }
        if components.count >= 2, ["cur", "new"].contains(components[components.count - 2]),
            isMaildirMessageName(name)
        {
            return .eml
        }
        return nil
    }

    /// Maildir names start with the delivery time in seconds and a dot; delivered ones carry ":2,flags".
    static func isMaildirMessageName(_ name: String) -> Bool {
        guard let dot = name.firstIndex(of: "."), dot != name.startIndex else { return false }
        return name[..<dot].allSatisfy(\.isASCII) && name[..<dot].allSatisfy(\.isNumber) && name.count > 12
    }

    /// How a format is named in messages and listings.
    public static func displayName(_ format: DocumentFormat) -> String {
        switch format {
        case .pdf: return "PDF"
        case .docx: return "Word"
        case .odt: return "OpenDocument text"
        case .rtf: return "RTF"
        case .pptx: return "PowerPoint"
        case .odp: return "OpenDocument presentation"
        case .xlsx: return "Excel"
        case .ods: return "OpenDocument spreadsheet"
        case .csv: return "CSV"
        case .tsv: return "TSV"
        case .html: return "HTML"
        case .epub: return "EPUB"
        case .eml: return "e-mail"
        case .mbox: return "mbox"
        case .ipynb: return "Jupyter notebook"
        case .png: return "PNG image"
        case .jpeg: return "JPEG image"
        case .tiff: return "TIFF image"
        case .webp: return "WebP image"
        }
    }

    private static let documentExtensions: [String: DocumentFormat] = [
        "pdf": .pdf, "docx": .docx, "odt": .odt, "rtf": .rtf, "pptx": .pptx, "odp": .odp, "xlsx": .xlsx,
        "ods": .ods, "csv": .csv, "tsv": .tsv, "html": .html, "htm": .html, "xhtml": .html, "epub": .epub,
        "eml": .eml, "mbox": .mbox, "ipynb": .ipynb,
        // Read by OCR when it is on; the daemon skips them without starting a child when it is off.
        "png": .png, "jpg": .jpeg, "jpeg": .jpeg, "tif": .tiff, "tiff": .tiff, "webp": .webp,
    ]

    private static let wellKnownNames: [String: FileKind] = [
        "Makefile": .code, "makefile": .code, "GNUmakefile": .code, "Dockerfile": .code,
        "Containerfile": .code, "Jenkinsfile": .code, "Vagrantfile": .code, "Rakefile": .code,
        "Gemfile": .code, "Podfile": .code, "Brewfile": .code, "Justfile": .code, "justfile": .code,
        "CMakeLists.txt": .code, "Procfile": .config,
        "README": .plainText, "LICENSE": .plainText, "LICENCE": .plainText, "COPYING": .plainText,
        "AUTHORS": .plainText, "CONTRIBUTORS": .plainText, "CHANGELOG": .plainText, "CHANGES": .plainText,
        "NEWS": .plainText, "NOTICE": .plainText, "INSTALL": .plainText, "TODO": .plainText,
    ]

    private static let textExtensions: [String: FileKind] = {
        var table: [String: FileKind] = [:]
        for ext in ["md", "markdown", "mdown", "mkd", "mdx"] { table[ext] = .markdown }
        for ext in ["rst", "rest"] { table[ext] = .restructuredText }
        for ext in ["txt", "text", "adoc", "asciidoc", "org", "tex", "bib", "log", "srt", "vtt"] {
            table[ext] = .plainText
        }
        for ext in [
            "swift", "c", "h", "cc", "cpp", "cxx", "hpp", "hh", "hxx", "m", "mm", "py", "pyi", "js", "mjs", "cjs",
            "ts", "tsx", "jsx", "go", "rs", "java", "kt", "kts", "rb", "php", "cs", "fs", "vb", "sh", "bash", "zsh",
            "fish", "ps1", "pl", "pm", "lua", "r", "scala", "clj", "ex", "exs", "erl", "hs", "ml", "nim", "zig",
            "dart", "jl", "sql", "css", "scss", "sass", "less", "xml", "xsl", "svg", "vue",
            "svelte", "gradle", "cmake", "make", "mk", "proto", "graphql", "tf", "nix", "el", "vim", "awk", "sed",
            "bat", "cmd", "asm", "s",
        ] {
            table[ext] = .code
        }
        for ext in [
            "json", "jsonc", "json5", "yaml", "yml", "toml", "ini", "cfg", "conf", "config", "env", "properties",
            "plist", "service", "desktop",
        ] {
            table[ext] = .config
        }
        return table
    }()

    /// Older or closed variants no extractor reads.
    private static let unsupportedExtensions: [String: String] = [
        "doc": "Word 97–2003", "xls": "Excel 97–2003", "ppt": "PowerPoint 97–2003", "pages": "Pages",
        "numbers": "Numbers", "key": "Keynote",
    ]

    private static let binaryExtensions: Set<String> = [
        "png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp", "ico", "icns", "heic", "psd", "raw", "cr2",
        "nef", "mp3", "wav", "flac", "ogg", "opus", "m4a", "aac", "mp4", "m4v", "mkv", "mov", "avi", "webm",
        "wmv", "zip", "gz", "tgz", "bz2", "xz", "zst", "7z", "rar", "tar", "jar", "war", "deb", "rpm", "apk",
        "dmg", "iso", "img", "exe", "dll", "so", "dylib", "o", "obj", "a", "lib", "class", "pyc", "pyo", "wasm",
        "bin", "dat", "sqlite", "sqlite3", "db", "mdb", "woff", "woff2", "ttf", "otf", "eot", "pack", "idx",
        "gguf", "safetensors", "onnx", "pt", "pth", "npy", "npz", "parquet", "avro", "pkl", "pickle",
    ]
}
