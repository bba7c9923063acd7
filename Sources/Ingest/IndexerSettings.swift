public import Extract

/// How the indexer behaves; read from the `[index]` part of the daemon's configuration.
public struct IndexerSettings: Sendable, Equatable {
    public var maxFileSize: Int64
    public var watch: Bool
    public var debounce: Duration
    /// A full rescan this often (0 = never), for changes inotify cannot see.
    public var rescanInterval: Duration
    /// Rescan this often the roots where watches could not be added.
    public var fallbackRescanInterval: Duration
    /// The document formats read by the extractors (`[index] formats`); files of other formats are
    /// recorded as skipped.
    public var formats: Set<DocumentFormat>

    public init(
        maxFileSize: Int64 = 20 << 20, watch: Bool = true, debounce: Duration = .milliseconds(500),
        rescanInterval: Duration = .seconds(3600), fallbackRescanInterval: Duration = .seconds(300),
        formats: Set<DocumentFormat> = Set(DocumentFormat.allCases)
    ) {
        self.formats = formats
        self.maxFileSize = maxFileSize
        self.watch = watch
        self.debounce = debounce
        self.rescanInterval = rescanInterval
        self.fallbackRescanInterval = fallbackRescanInterval
    }
}
