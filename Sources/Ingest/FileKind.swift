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
        if let kind = textExtensions[ext] { return .text(kind) }
        if let format = unsupportedExtensions[ext] { return .unsupported(format) }
        if binaryExtensions.contains(ext) { return .binary(ext) }
        return .unknown
    }

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
        for ext in ["txt", "text", "adoc", "asciidoc", "org", "tex", "bib", "log", "csv", "tsv", "srt", "vtt"] {
            table[ext] = .plainText
        }
        for ext in [
            "swift", "c", "h", "cc", "cpp", "cxx", "hpp", "hh", "hxx", "m", "mm", "py", "pyi", "js", "mjs", "cjs",
            "ts", "tsx", "jsx", "go", "rs", "java", "kt", "kts", "rb", "php", "cs", "fs", "vb", "sh", "bash", "zsh",
            "fish", "ps1", "pl", "pm", "lua", "r", "scala", "clj", "ex", "exs", "erl", "hs", "ml", "nim", "zig",
            "dart", "jl", "sql", "html", "htm", "css", "scss", "sass", "less", "xml", "xsl", "svg", "vue",
            "svelte", "gradle", "cmake", "make", "mk", "proto", "graphql", "tf", "nix", "el", "vim", "awk", "sed",
            "bat", "cmd", "asm", "s", "ipynb",
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

    private static let unsupportedExtensions: [String: String] = [
        "pdf": "PDF", "doc": "Word", "docx": "Word", "odt": "OpenDocument text", "rtf": "RTF",
        "xls": "Excel", "xlsx": "Excel", "ods": "OpenDocument spreadsheet", "ppt": "PowerPoint",
        "pptx": "PowerPoint", "odp": "OpenDocument presentation", "epub": "EPUB", "pages": "Pages",
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
