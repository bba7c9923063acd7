public import Foundation
import API
public import Extract

/// Everything `sottod` can be told, after the config file, the command line and the environment
/// have been combined (flags win over `SOTTO_SOCKET`, which wins over the file, which wins over defaults).
public struct DaemonConfiguration: Sendable, Equatable {
    public struct RootSetting: Sendable, Equatable {
        public var path: String
        public var include: [String]
        public var exclude: [String]
    }

    public var socketPath: String
    public var databasePath: String
    public var modelsDirectory: String
    public var logLevel: String
    /// Where the values came from, for `sottod --help` and error messages.
    public var configFile: String?

    public var maxFileSize: Int64 = 20 * 1024 * 1024
    public var watch = true
    public var debounce: Duration = .milliseconds(500)
    /// A full rescan this often, for filesystems whose changes inotify does not see (0 = never).
    public var rescanInterval: Duration = .seconds(3600)
    /// Rescan this often where watches could not be added (watch limit, network filesystems).
    public var fallbackRescanInterval: Duration = .seconds(300)
    /// The document formats the sandboxed extractors read (`[index] formats`); all by default.
    public var formats = Set(DocumentFormat.allCases)
    /// How long one document may take to extract before its child is killed.
    public var extractTimeout: Duration = .seconds(60)
    /// The extraction child's address-space limit.
    public var extractMemoryBytes = 1 << 30
    /// The program run as `… extract`; the daemon's own binary unless a test says otherwise.
    public var extractorExecutable = "/proc/self/exe"
    public var maxRequestBytes = 1 << 20
    /// Client connections open at once; one more gets 503 too_many_connections. Also kept under
    /// half the descriptors the daemon may open, so that clients cannot starve the indexer.
    public var maxConnections = 256
    /// A connection with no request in progress is closed after this long (this bounds a request
    /// head that never completes, too).
    public var idleTimeout: Duration = .seconds(60)
    /// A request's head and body must arrive within this long of its first part.
    public var requestTimeout: Duration = .seconds(60)
    /// The model name under which `/v1/chat/completions` answers from the documents (`[server] grounded_model`).
    public var groundedModelName = "sotto"
    /// Roots the daemon adds at start if they are not there yet.
    public var roots: [RootSetting] = []
    public var encoder = EncoderSetting()
    /// How hybrid search fuses BM25 and dense rankings (`[search]` in the file).
    public var fusion = FusionSetting.convex(alpha: 0.4)
    /// The decoders that answer questions (`[decoder]` and `[[decoders]]` in the file).
    public var decoder = DecoderSetting()
    /// Whether a model file that the models directory's manifest does not list may be loaded
    /// (unchecked); listed files are always checked against their sha256.
    public var allowsUnlistedModels = false
    /// Who may change the index (`[access]` in the file).
    public var access = AccessSetting()
    /// The audit trail (`[audit]` in the file).
    public var audit = AuditSetting()
    /// OCR of scans and images (`[ocr]` in the file).
    public var ocr = OCRSetting()

    public struct AuditSetting: Sendable, Equatable {
        /// nil: on for the system service (its unit sets `SOTTO_SERVICE=system`), off for a user's.
        public var isEnabled: Bool?
        /// nil: `audit.jsonl` beside the database.
        public var path: String?
        /// Records older than this many days are deleted (whole rotated files).
        public var retentionDays = 90
        /// The file is rotated (to `.1`, `.2`, …, `.5`) when it grows past this many bytes.
        public var maxBytes: Int64 = 16 << 20
    }

    /// Whether requests are written to the audit trail, after the file and the service kind.
    public func isAuditing(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        audit.isEnabled ?? (environment["SOTTO_SERVICE"] == "system")
    }

    /// Where the audit trail is written.
    public var auditPath: String {
        audit.path ?? (URL(fileURLWithPath: databasePath).deletingLastPathComponent().path + "/audit.jsonl")
    }

    public struct AccessSetting: Sendable, Equatable {
        /// Members of this group may change the index like root and the daemon's user.
        public var adminGroup = "sotto-admin"
        /// Whether a user may add a folder they own and can read as a source.
        public var userSources = false
        /// How long a decision about who may read a file is kept (`cache_seconds`, 0 to 3600). The
        /// watcher drops every cached decision as soon as it sees a permission, owner or ACL change
        /// in an indexed folder; this bounds the rest (a change to a directory above a source).
        public var decisionLifetime: Duration = .seconds(2)
    }

    public enum FusionSetting: Sendable, Equatable {
        case convex(alpha: Double)
        case reciprocalRank(k: Double)
    }

    /// The sentence encoder that embeds chunks and queries (`[encoder]` in the file).
    public struct EncoderSetting: Sendable, Equatable {
        /// A folder name under the models directory, or an absolute path to a model folder.
        public var model = "all-MiniLM-L6-v2"
        public var isEnabled = true
        /// OpenBLAS threads; nil: all cores.
        public var threads: Int?
        public var batchSize = 32
        public var queryPrefix = ""
        public var passagePrefix = ""
    }

    /// The decoders and how they are run.
    public struct DecoderSetting: Sendable, Equatable {
        /// One decoder a request may name.
        public struct Model: Sendable, Equatable {
            public var name: String
            /// A file name under the models directory, an absolute path, or `builtin:echo` (a stand-in
            /// without weights that quotes its sources, for trying the answer path).
            public var file: String
            /// The context window to run it with; nil: the `[decoder]` setting.
            public var contextTokens: Int?
        }
        /// The model used when a request names none; nil: the first in `models` whose file is present.
        public var defaultModel: String?
        public var isEnabled = true
        /// Threads for the decoder's matrix work; nil: all cores.
        public var threads: Int?
        public var contextTokens = 4096
        /// Requests that may wait for the decoder while it answers another; more get 503 queue_full.
        public var queueSize = 8
        /// An answer is stopped (or a waiting request refused) this long after the request arrived.
        public var timeLimit: Duration = .seconds(300)
        /// Whether answers draft tokens by prompt lookup and check them in one pass (`speculation`):
        /// the same greedy text, sooner. Off decodes one token per pass, for measuring the difference.
        public var speculates = true
        /// The models `Scripts/fetch-models decoders` installs, best first.
        public var models: [Model] = [
            Model(name: "qwen2.5-coder-1.5b", file: "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"),
            Model(name: "qwen2.5-coder-0.5b", file: "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"),
            Model(name: "smollm2-135m", file: "smollm2-135m-instruct-q4_1.gguf"),
        ]
    }

    /// Where a decoder's file is: under the models directory unless absolute (or built in).
    public func decoderPath(_ model: DecoderSetting.Model) -> String {
        model.file.hasPrefix("/") || model.file.hasPrefix("builtin:") ? model.file : modelsDirectory + "/" + model.file
    }

    /// The encoder's folder: `encoder.model` under the models directory unless it is absolute.
    public var encoderDirectory: String {
        encoder.model.hasPrefix("/") ? encoder.model : modelsDirectory + "/" + encoder.model
    }

    /// Defaults for a user session: XDG directories under the user's home.
    public static func defaults(environment: [String: String] = ProcessInfo.processInfo.environment) -> DaemonConfiguration {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let dataHome = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.local/share"
        return DaemonConfiguration(
            socketPath: SocketPath.defaultPath(environment: environment),
            databasePath: dataHome + "/sotto/index.sqlite",
            modelsDirectory: dataHome + "/sotto/models",
            logLevel: "info",
            configFile: nil)
    }

    /// The config file used when `--config` is not given: the user's, then the system's, if present.
    public static func defaultConfigFile(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        for candidate in [configHome + "/sotto/sottod.toml", "/etc/sotto/sottod.toml"]
        where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        return nil
    }

    /// Reads `file` (if any) over the defaults, then applies the command-line overrides.
    public static func load(
        file: String?, socket: String?, database: String?, models: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> DaemonConfiguration {
        var configuration = defaults(environment: environment)
        var configuredSocket: String?
        if let file {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw .unreadable(path: file, reason: (error as NSError).localizedDescription)
            }
            let table: [String: TOMLValue]
            do {
                table = try TOMLParser.parse(text)
            } catch {
                throw .syntax(path: file, line: error.line, message: error.message)
            }
            configuredSocket = try configuration.apply(table, file: file, environment: environment)
            configuration.configFile = file
        }
        configuration.socketPath = expand(
            SocketPath.resolve(flag: socket, configured: configuredSocket, environment: environment), environment)
        if let database { configuration.databasePath = expand(database, environment) }
        if let models { configuration.modelsDirectory = expand(models, environment) }
        return configuration
    }

    /// Applies a parsed file; returns the socket it names (which `SOTTO_SOCKET` may still override).
    private mutating func apply(
        _ table: [String: TOMLValue], file: String, environment: [String: String]
    ) throws(ConfigurationError) -> String? {
        var reader = SettingsReader(table: table, file: file, prefix: "")
        let socket = try reader.string("socket").map { Self.expand($0, environment) }
        if let value = try reader.string("database") { databasePath = Self.expand(value, environment) }
        if let value = try reader.string("models") { modelsDirectory = Self.expand(value, environment) }
        if let value = try reader.bool("allow_unlisted_models") { allowsUnlistedModels = value }
        if let value = try reader.string("log_level") {
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            guard levels.contains(value) else {
                throw .invalid(path: file, key: "log_level", message: "must be one of \(levels.joined(separator: ", "))")
            }
            logLevel = value
        }
        if var index = try reader.table("index") {
            if let mb = try index.integer("max_file_size_mb", in: 1...4096) { maxFileSize = mb * 1024 * 1024 }
            if let value = try index.bool("watch") { watch = value }
            if let ms = try index.integer("debounce_ms", in: 0...600_000) { debounce = .milliseconds(ms) }
            if let minutes = try index.integer("rescan_interval_minutes", in: 0...525_600) { rescanInterval = .seconds(minutes * 60) }
            if let minutes = try index.integer("fallback_rescan_interval_minutes", in: 1...525_600) {
                fallbackRescanInterval = .seconds(minutes * 60)
            }
            if let names = try index.strings("formats") {
                var chosen = Set<DocumentFormat>()
                for name in names {
                    // "htm"/"xhtml" read as HTML; everything else by its format's name.
                    let canonical = ["htm": "html", "xhtml": "html"][name.lowercased()] ?? name.lowercased()
                    guard let format = DocumentFormat(rawValue: canonical) else {
                        let known = DocumentFormat.allCases.map(\.rawValue).joined(separator: ", ")
                        throw .invalid(path: file, key: "index.formats", message: "unknown format \"\(name)\"; known: \(known)")
                    }
                    chosen.insert(format)
                }
                formats = chosen
            }
            if let seconds = try index.integer("extract_timeout", in: 1...3600) { extractTimeout = .seconds(seconds) }
            if let mb = try index.integer("extract_memory_mb", in: 64...65_536) { extractMemoryBytes = Int(mb) << 20 }
            try index.finish()
        }
        if var table = try reader.table("ocr") {
            if let value = try table.bool("enabled") { ocr.isEnabled = value }
            if let names = try table.strings("languages") {
                // Codes name files in the data directory: letters, digits and _ only (eng, chi_sim, deu_latf).
                let valid = !names.isEmpty && names.allSatisfy { name in
                    !name.isEmpty && name.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
                }
                guard valid else {
                    throw .invalid(path: file, key: "ocr.languages", message: "must list Tesseract language codes such as \"eng\", \"deu\", \"chi_sim\"")
                }
                ocr.languages = names
            }
            if let value = try table.string("data_dir") { ocr.dataDirectory = Self.expand(value, environment) }
            if let seconds = try table.integer("page_timeout", in: 1...3600) { ocr.pageTimeout = .seconds(seconds) }
            if let value = try table.integer("max_pages", in: 1...100_000) { ocr.maxPages = Int(value) }
            if let value = try table.integer("min_confidence", in: 0...100) { ocr.minConfidence = Int(value) }
            try table.finish()
        }
        if var server = try reader.table("server") {
            if let bytes = try server.integer("max_request_bytes", in: 1024...(64 << 20)) { maxRequestBytes = Int(bytes) }
            if let value = try server.integer("max_connections", in: 1...65_536) { maxConnections = Int(value) }
            if let value = try server.integer("idle_timeout_seconds", in: 1...86_400) { idleTimeout = .seconds(value) }
            if let value = try server.integer("request_timeout_seconds", in: 1...86_400) { requestTimeout = .seconds(value) }
            if let name = try server.string("grounded_model") {
                guard !name.isEmpty else { throw .invalid(path: file, key: "server.grounded_model", message: "must not be empty") }
                groundedModelName = name
            }
            try server.finish()
        }
        if var table = try reader.table("encoder") {
            if let value = try table.string("model") {
                guard !value.isEmpty, !value.contains("..") else {
                    throw .invalid(path: file, key: "encoder.model", message: "must name a model folder")
                }
                encoder.model = Self.expand(value, environment)
            }
            if let value = try table.bool("enabled") { encoder.isEnabled = value }
            if let value = try table.integer("threads", in: 0...256) { encoder.threads = value == 0 ? nil : Int(value) }
            if let value = try table.integer("batch_size", in: 1...1024) { encoder.batchSize = Int(value) }
            if let value = try table.string("query_prefix") { encoder.queryPrefix = value }
            if let value = try table.string("passage_prefix") { encoder.passagePrefix = value }
            try table.finish()
        }
        if var table = try reader.table("search") {
            let method = try table.string("fusion") ?? "convex"
            let alpha = try table.number("alpha", in: 0...1) ?? 0.4
            let k = try table.number("rrf_k", in: 1...10_000) ?? 60
            switch method {
            case "convex": fusion = .convex(alpha: alpha)
            case "rrf": fusion = .reciprocalRank(k: k)
            default: throw .invalid(path: file, key: "search.fusion", message: "must be \"convex\" or \"rrf\"")
            }
            try table.finish()
        }
        if var table = try reader.table("decoder") {
            if let value = try table.string("default") { decoder.defaultModel = value.isEmpty ? nil : value }
            if let value = try table.bool("enabled") { decoder.isEnabled = value }
            if let value = try table.integer("threads", in: 0...256) { decoder.threads = value == 0 ? nil : Int(value) }
            if let value = try table.integer("context_tokens", in: 256...131_072) { decoder.contextTokens = Int(value) }
            if let value = try table.integer("queue_size", in: 0...1000) { decoder.queueSize = Int(value) }
            if let value = try table.integer("time_limit_seconds", in: 1...86_400) { decoder.timeLimit = .seconds(value) }
            if let value = try table.bool("speculation") { decoder.speculates = value }
            try table.finish()
        }
        if var table = try reader.table("access") {
            if let value = try table.string("admin_group") { access.adminGroup = value }
            if let value = try table.bool("user_sources") { access.userSources = value }
            if let value = try table.integer("cache_seconds", in: 0...3600) { access.decisionLifetime = .seconds(value) }
            try table.finish()
        }
        if var table = try reader.table("audit") {
            if let value = try table.bool("enabled") { audit.isEnabled = value }
            if let value = try table.string("path") {
                guard value.hasPrefix("/") || value.hasPrefix("~/") else {
                    throw .invalid(path: file, key: "audit.path", message: "must be an absolute path")
                }
                audit.path = Self.expand(value, environment)
            }
            if let value = try table.integer("retention_days", in: 1...36_500) { audit.retentionDays = Int(value) }
            if let value = try table.integer("max_size_mb", in: 1...65_536) { audit.maxBytes = value << 20 }
            try table.finish()
        }
        if let entries = try reader.tableArray("decoders") {
            var models: [DecoderSetting.Model] = []
            for var entry in entries {
                guard let name = try entry.string("name"), !name.isEmpty, let modelFile = try entry.string("file"), !modelFile.isEmpty else {
                    throw .invalid(path: file, key: "decoders", message: "every [[decoders]] entry needs a name and a file")
                }
                guard !modelFile.contains(".."), !models.contains(where: { $0.name == name }) else {
                    throw .invalid(path: file, key: "decoders.\(name)", message: "must name a model file once")
                }
                let context = try entry.integer("context_tokens", in: 256...131_072).map(Int.init)
                models.append(.init(name: name, file: Self.expand(modelFile, environment), contextTokens: context))
                try entry.finish()
            }
            decoder.models = models
        }
        if decoder.models.contains(where: { $0.name == groundedModelName }) {
            throw .invalid(
                path: file, key: "server.grounded_model",
                message: "\(groundedModelName) is also a decoder's name; the grounded model needs a name of its own")
        }
        if let name = decoder.defaultModel, !decoder.models.contains(where: { $0.name == name }) {
            throw .invalid(
                path: file, key: "decoder.default",
                message: "names no decoder; the decoders are \(decoder.models.map(\.name).joined(separator: ", "))")
        }
        if let entries = try reader.tableArray("roots") {
            for var entry in entries {
                guard let path = try entry.string("path") else {
                    throw .invalid(path: file, key: "roots.path", message: "every [[roots]] entry needs a path")
                }
                roots.append(RootSetting(
                    path: Self.expand(path, environment),
                    include: try entry.strings("include") ?? [],
                    exclude: try entry.strings("exclude") ?? []))
                try entry.finish()
            }
        }
        try reader.finish()
        return socket
    }

    /// `~` and `~/...` become the home directory; `$XDG_RUNTIME_DIR` is expanded at the start.
    static func expand(_ path: String, _ environment: [String: String]) -> String {
        let home = environment["HOME"] ?? NSHomeDirectory()
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst() }
        if path.hasPrefix("$XDG_RUNTIME_DIR/"), let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            return runtime + path.dropFirst("$XDG_RUNTIME_DIR".count)
        }
        return path
    }
}

public enum ConfigurationError: Error, Equatable, Sendable {
    case unreadable(path: String, reason: String)
    case syntax(path: String, line: Int, message: String)
    case invalid(path: String, key: String, message: String)
    case unknownKey(path: String, key: String)

    public var message: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read the configuration file \(path): \(reason)"
        case .syntax(let path, let line, let message): "\(path):\(line): \(message)"
        case .invalid(let path, let key, let message): "\(path): setting \(key) \(message)"
        case .unknownKey(let path, let key):
            "\(path): unknown setting \(key) (see etc/sotto/sottod.toml for the settings there are)"
        }
    }
}

/// Reads typed settings out of one TOML table and complains about keys nobody read (typos).
private struct SettingsReader {
    var table: [String: TOMLValue]
    let file: String
    let prefix: String

    private mutating func take(_ key: String) -> TOMLValue? { table.removeValue(forKey: key) }

    private func wrong(_ key: String, _ expected: String, _ value: TOMLValue) -> ConfigurationError {
        .invalid(path: file, key: prefix + key, message: "must be \(expected), not \(value.typeName)")
    }

    mutating func string(_ key: String) throws(ConfigurationError) -> String? {
        guard let value = take(key) else { return nil }
        guard case .string(let text) = value else { throw wrong(key, "a string", value) }
        return text
    }

    mutating func strings(_ key: String) throws(ConfigurationError) -> [String]? {
        guard let value = take(key) else { return nil }
        guard case .array(let items) = value else { throw wrong(key, "an array of strings", value) }
        var out: [String] = []
        for item in items {
            guard case .string(let text) = item else { throw wrong(key, "an array of strings", item) }
            out.append(text)
        }
        return out
    }

    mutating func bool(_ key: String) throws(ConfigurationError) -> Bool? {
        guard let value = take(key) else { return nil }
        guard case .bool(let flag) = value else { throw wrong(key, "true or false", value) }
        return flag
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int64>) throws(ConfigurationError) -> Int64? {
        guard let value = take(key) else { return nil }
        guard case .integer(let number) = value else { throw wrong(key, "a whole number", value) }
        guard range.contains(number) else {
            throw .invalid(path: file, key: prefix + key, message: "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return number
    }

    mutating func number(_ key: String, in range: ClosedRange<Double>) throws(ConfigurationError) -> Double? {
        guard let value = take(key) else { return nil }
        let number: Double
        switch value {
        case .integer(let whole): number = Double(whole)
        case .float(let real): number = real
        default: throw wrong(key, "a number", value)
        }
        guard range.contains(number) else {
            throw .invalid(path: file, key: prefix + key, message: "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return number
    }

    mutating func table(_ key: String) throws(ConfigurationError) -> SettingsReader? {
        guard let value = take(key) else { return nil }
        guard case .table(let inner) = value else { throw wrong(key, "a table", value) }
        return SettingsReader(table: inner, file: file, prefix: prefix + key + ".")
    }

    mutating func tableArray(_ key: String) throws(ConfigurationError) -> [SettingsReader]? {
        guard let value = take(key) else { return nil }
        guard case .array(let items) = value else { throw wrong(key, "an array of tables ([[\(key)]])", value) }
        var readers: [SettingsReader] = []
        for item in items {
            guard case .table(let inner) = item else { throw wrong(key, "an array of tables ([[\(key)]])", item) }
            readers.append(SettingsReader(table: inner, file: file, prefix: prefix + key + "."))
        }
        return readers
    }

    func finish() throws(ConfigurationError) {
        if let key = table.keys.sorted().first { throw .unknownKey(path: file, key: prefix + key) }
    }
}
