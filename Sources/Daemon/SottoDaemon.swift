import Foundation
public import Logging
import API
import Access
public import Answering
import Hummingbird
import NIOCore
import Inference
import Ingest
import Retrieval
import ServiceLifecycle
import Storage
#if canImport(Glibc)
import Glibc
#endif

/// The composition root: opens the store, starts the indexer and the socket server as one service
/// group, and shuts them down in reverse order on SIGTERM/SIGINT.
public struct SottoDaemon: Sendable {
    public let configuration: DaemonConfiguration
    public let logger: Logger
    /// Makes the decoders from their files; nil: only built-in decoders (`builtin:echo`) can answer.
    public let decoderLoader: DecoderLoader?
    /// Retrieval's threshold for "the documents do not hold the answer".
    public let abstention: AbstentionPolicy

    public init(
        configuration: DaemonConfiguration, logger: Logger, decoderLoader: DecoderLoader? = nil,
        abstention: AbstentionPolicy = .calibrated
    ) {
        self.configuration = configuration
        self.logger = logger
        self.decoderLoader = decoderLoader
        self.abstention = abstention
    }

    public func run() async throws {
        // Everything the daemon creates (database, WAL) is private to its user; the socket is opened
        // up to its group explicitly after bind.
        umask(0o077)
        let notifier = SystemdNotifier()
        let socketPath = configuration.socketPath
        try SocketGuard.prepare(path: socketPath)

        let store: Store
        do {
            store = try Store(path: configuration.databasePath)
        } catch let error as StoreError {
            throw DaemonError.store(error.message)
        }
        let (host, encoderProblem) = loadEncoder()
        var configuration = self.configuration
        let ocr = configuration.ocr.resolve(environment: ProcessInfo.processInfo.environment)
        configuration.ocr.resolution = ocr
        switch ocr {
        case .on(let settings): logger.info("OCR on: \(settings.languages.joined(separator: "+")) from \(settings.dataDirectory)")
        case .off(let reason): logger.info("OCR off: \(reason)")
        }
        let documentExtractor = SandboxedExtractor.sottod(
            executable: configuration.extractorExecutable, timeout: configuration.extractTimeout,
            memoryLimitBytes: configuration.extractMemoryBytes, ocr: ocr)
        let indexer = Indexer(
            store: store,
            settings: IndexerSettings(
                maxFileSize: configuration.maxFileSize, watch: configuration.watch, debounce: configuration.debounce,
                rescanInterval: configuration.rescanInterval, fallbackRescanInterval: configuration.fallbackRescanInterval,
                formats: configuration.formats),
            logger: logger,
            tokenCounter: host.map { EncoderTokenCounter(embedder: $0.passages) },
            maxTokens: host?.passages.maxSequenceLength ?? 256,
            documentExtractor: documentExtractor)
        try await seedRoots(store: store)
        // A chmod, chown or setfacl the watcher sees drops every cached access decision at once,
        // rather than one path's: a hard link elsewhere in the index shares the file's permissions,
        // and a directory's change reaches every decision below it. What is dropped is only the last
        // `cache_seconds` of decisions, remade with one stat (and one ACL read) per document a search
        // asks about; permission changes are rare beside searches.
        let readAccess = ReadAccess(lifetime: configuration.access.decisionLifetime)
        await indexer.observeAttributeChanges { _ in readAccess.invalidate() }

        let searcher: Searcher
        switch configuration.fusion {
        case .convex(let alpha): searcher = Searcher(store: store, fusion: .convex(alpha: alpha))
        case .reciprocalRank(let k): searcher = Searcher(store: store, fusion: .reciprocalRank(k: k))
        }
        var embedding: EmbeddingService?
        if let host {
            let service = EmbeddingService(store: store, host: host, searcher: searcher, configuration: configuration, logger: logger)
            await service.follow(indexer)
            embedding = service
        } else {
            searcher.disableDense(reason: encoderProblem.map { "the encoder at \(configuration.encoderDirectory) cannot be used: \($0); use mode bm25" }
                ?? encoderUnavailableReason)
        }
        let worker = embedding?.worker
        let embeddingServices: [ServiceGroupConfiguration.ServiceConfiguration] = embedding.map { [.init(service: $0)] } ?? []

        let decoders = DecoderHost(configuration: configuration, loader: decoderLoader)
        logDecoders(decoders)
        // In the background: searches are served while the decoder loads.
        decoders.loadDefault()

        let startedAt = Date()
        let responder = APIResponder(
            store: store, indexer: indexer, searcher: searcher, embeddingWorker: worker, decoders: decoders,
            answerer: Answerer(searcher: searcher, abstention: abstention), configuration: configuration,
            startedAt: startedAt, logger: logger,
            access: AccessPolicy(
                adminGroupName: configuration.access.adminGroup, allowsUserSources: configuration.access.userSources, readAccess: readAccess),
            auditLog: configuration.isAuditing()
                ? AuditLog(path: configuration.auditPath, retentionDays: configuration.audit.retentionDays, maxBytes: configuration.audit.maxBytes)
                : nil,
            encoder: host)
        if configuration.isAuditing() { logger.info("the audit trail is written to \(configuration.auditPath)") }
        let logger = self.logger
        let budget = ConnectionBudget(limit: Self.connectionLimit(configured: configuration.maxConnections, logger: logger))
        let requestTimeout = TimeAmount.nanoseconds(Int64(configuration.requestTimeout.components.seconds) * 1_000_000_000)
        let idleTimeout = TimeAmount.nanoseconds(Int64(configuration.idleTimeout.components.seconds) * 1_000_000_000)
        let app = Application(
            responder: responder,
            // Per connection: a guard (connection cap, request timeout, close after a refused body)
            // and a watch (an answer ends as soon as its client leaves).
            server: .http1(configuration: .init(
                additionalChannelHandlers: [ConnectionGuard(budget: budget, requestTimeout: requestTimeout), ConnectionWatch()],
                idleTimeout: idleTimeout)),
            configuration: ApplicationConfiguration(address: .unixDomainSocket(path: socketPath), serverName: "sottod"),
            onServerRunning: { _ in
                do {
                    try SocketGuard.restrictPermissions(path: socketPath)
                } catch {
                    logger.error("cannot set the permissions of \(socketPath): \(error)")
                }
                logger.info("sottod \(SottoVersion.string) listening on \(socketPath)")
                notifier.ready(status: "Listening on \(socketPath)")
            },
            logger: logger)

        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: IndexerService(indexer: indexer))] + embeddingServices + [
                    .init(service: app),
                    .init(service: EraseService(store: store, embeddingWorker: worker, logger: logger, erased: { decoders.forgetCachedPrompts() })),
                    .init(service: LifecycleNotifierService(indexer: indexer, notifier: notifier, logger: logger)),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        defer {
            if (try? FileManager.default.attributesOfItem(atPath: socketPath)[.type] as? FileAttributeType) == .typeSocket {
                unlink(socketPath)
            }
            do {
                try store.close()
            } catch {
                logger.error("closing the database failed: \(error)")
            }
        }
        try await group.run()
        logger.info("sottod stopped")
    }

    /// The configured cap on connections, lowered to half the descriptors the process may open (after
    /// raising its soft limit to the hard one), so that idle clients cannot take the descriptors the
    /// indexer and the database need.
    static func connectionLimit(configured: Int, logger: Logger) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return configured }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        // RLIM_INFINITY is the largest value, so clamping covers it.
        let available = Int(clamping: limit.rlim_cur)
        let cap = max(4, min(configured, (available - 64) / 2))
        if cap < configured {
            logger.notice("accepting at most \(cap) connections, half the \(available) descriptors sottod may open ([server] max_connections is \(configured))")
        }
        return cap
    }

    /// The configured encoder, or nil (dense search off) when it is disabled, absent or unusable, and
    /// then why it is unusable (for `sotto status`).
    private func loadEncoder() -> (EncoderHost?, String?) {
        guard configuration.encoder.isEnabled else { return (nil, nil) }
        let directory = configuration.encoderDirectory
        guard FileManager.default.fileExists(atPath: directory + "/config.json") else {
            logger.notice("no encoder model at \(directory); search is by words only (Scripts/fetch-models installs it)")
            return (nil, nil)
        }
        let check = ModelCheck(modelsDirectory: configuration.modelsDirectory, allowsUnlisted: configuration.allowsUnlistedModels)
        if let refusal = check.verify(encoderDirectory: directory) {
            logger.error("\(refusal.message); search is by words only")
            return (nil, refusal.message)
        }
        let problem: String
        do {
            let started = ContinuousClock.now
            let host = try EncoderHost(
                directory: URL(fileURLWithPath: directory), threads: configuration.encoder.threads,
                prefixes: EmbeddingPrefixes(query: configuration.encoder.queryPrefix, passage: configuration.encoder.passagePrefix),
                batchSize: configuration.encoder.batchSize)
            logger.info("loaded the encoder \(host.modelName) (\(host.dimension) dimensions) in \(ContinuousClock.now - started)")
            return (host, nil)
        } catch let error as InferenceError {
            problem = error.message
        } catch {
            problem = "\(error)"
        }
        logger.error("the encoder at \(directory) cannot be used: \(problem); search is by words only")
        return (nil, problem)
    }

    private func logDecoders(_ decoders: DecoderHost) {
        guard configuration.decoder.isEnabled else {
            logger.notice("answers are turned off ([decoder] enabled = false); search works")
            return
        }
        if let name = decoders.defaultModelName {
            logger.info("loading the decoder \(name) in the background; /v1/ask answers once it is ready")
        } else {
            logger.notice("no decoder model in \(configuration.modelsDirectory); /v1/ask answers decoder_unavailable until one is installed (Scripts/fetch-models decoders)")
        }
    }

    private var encoderUnavailableReason: String {
        configuration.encoder.isEnabled
            ? "no usable encoder model at \(configuration.encoderDirectory) (Scripts/fetch-models installs it); use mode bm25"
            : "the encoder is turned off in the configuration ([encoder] enabled = false); use mode bm25"
    }

    /// Roots named in the configuration file are added if they are not sources yet.
    private func seedRoots(store: Store) async throws {
        guard !configuration.roots.isEmpty else { return }
        let existing = Set(try await store.roots().map(\.path))
        for root in configuration.roots {
            let path = SourceRegistration.normalise(root.path)
            guard !existing.contains(path) else { continue }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                logger.warning("the configured root \(path) is not a directory; skipping it")
                continue
            }
            _ = try await store.addRoot(path: path, include: root.include, exclude: root.exclude, useDefaultExcludes: true)
        }
    }
}

public enum DaemonError: Error, Sendable {
    case store(String)
    public var message: String {
        switch self {
        case .store(let message): message
        }
    }
}

/// Runs the indexer until the daemon shuts down.
struct IndexerService: Service {
    let indexer: Indexer
    func run() async throws {
        await cancelWhenGracefulShutdown { await indexer.run() }
    }
}

/// Tells systemd what the daemon is doing (`STATUS=`), and `STOPPING=1` as soon as shutdown begins.
/// Listed last in the group so that it is the first to hear of the shutdown.
struct LifecycleNotifierService: Service {
    let indexer: Indexer
    let notifier: SystemdNotifier
    let logger: Logger

    func run() async throws {
        var lastLine = ""
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let line = await indexer.currentProgress().statusLine
            if line != lastLine, notifier.isEnabled {
                notifier.status(line)
                lastLine = line
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
            } catch {
                break
            }
        }
        logger.info("sottod is shutting down")
        notifier.stopping()
    }
}
