import API
import Answering
import Dispatch
import Foundation
import Synchronization

/// The configured decoders: loads each once, on first need (the default one at start), in the
/// background so that the daemon answers searches meanwhile; keeps them; and holds the one answer
/// service all answers take their turn in, whichever model they use.
final class DecoderHost: Sendable {
    enum State: Sendable {
        case missing
        case unloaded
        case loading
        case ready(any AnswerModel)
        case failed(String)

        var name: String {
            switch self {
            case .missing: "missing"
            case .unloaded: "unloaded"
            case .loading: "loading"
            case .ready: "ready"
            case .failed: "failed"
            }
        }
    }

    let setting: DaemonConfiguration.DecoderSetting
    let answers: AnswerService
    private let paths: [String: String]
    private let loader: DecoderLoader?
    /// Every decoder file is checked against the models manifest before it is loaded.
    private let modelCheck: ModelCheck
    private let states: Mutex<[String: State]>
    private let loadQueue = DispatchQueue(label: "sotto.decoder.load", qos: .utility)

    init(configuration: DaemonConfiguration, loader: DecoderLoader?) {
        setting = configuration.decoder
        answers = AnswerService(queueCapacity: configuration.decoder.queueSize)
        self.loader = loader
        modelCheck = ModelCheck(modelsDirectory: configuration.modelsDirectory, allowsUnlisted: configuration.allowsUnlistedModels)
        var paths: [String: String] = [:]
        var states: [String: State] = [:]
        for model in configuration.decoder.models {
            let path = configuration.decoderPath(model)
            paths[model.name] = path
            states[model.name] = path.hasPrefix("builtin:") || FileManager.default.fileExists(atPath: path) ? .unloaded : .missing
        }
        self.paths = paths
        self.states = Mutex(states)
    }

    /// Every loaded decoder forgets the prompt it keeps for reuse: after text was forgotten or erased.
    func forgetCachedPrompts() {
        let loaded = states.withLock { states in
            states.values.compactMap { state -> (any AnswerModel)? in
                if case .ready(let model) = state { model } else { nil }
            }
        }
        for model in loaded { model.forgetCachedPrompt() }
    }

    /// The model a request gets when it names none: the configured default, else the first present.
    var defaultModelName: String? {
        guard setting.isEnabled else { return nil }
        if let name = setting.defaultModel { return name }
        return states.withLock { states in
            setting.models.first { if case .missing = states[$0.name] { false } else { true } }?.name
        }
    }

    /// Starts loading the default model, if there is one to load.
    func loadDefault() {
        guard let name = defaultModelName else { return }
        startLoading(name)
    }

    /// The ready model called `name` (the default when nil) with its configured name, or why there is
    /// none. Asking for a model that is not loaded yet starts loading it.
    func model(named requested: String?) -> Result<(name: String, model: any AnswerModel), APIError> {
        guard setting.isEnabled else {
            return .failure(APIError(
                503, .decoderUnavailable, "answers are turned off in the configuration ([decoder] enabled = false); search still works"))
        }
        guard let name = requested ?? defaultModelName else {
            return .failure(APIError(
                503, .decoderUnavailable,
                "no decoder model is installed; install one with `Scripts/fetch-models decoders` (into \(modelsDirectoryHint)) and restart sottod; search still works"))
        }
        guard let model = setting.models.first(where: { $0.name == name }) else {
            return .failure(APIError(
                404, .unknownModel, "no decoder is called \(name.debugDescription); the configured ones are \(setting.models.map(\.name).joined(separator: ", "))"))
        }
        let state = states.withLock { $0[name] ?? .missing }
        switch state {
        case .ready(let answerModel): return .success((name, answerModel))
        case .missing:
            return .failure(APIError(
                503, .decoderUnavailable,
                "the decoder \(name) is not installed (no file \(paths[name] ?? model.file)); install it with `Scripts/fetch-models decoders` and restart sottod; search still works"))
        case .failed(let reason):
            return .failure(APIError(503, .decoderUnavailable, "the decoder \(name) could not be loaded: \(reason)"))
        case .unloaded, .loading:
            startLoading(name)
            var error = APIError(503, .decoderLoading, "the decoder \(name) is loading; try again in a few seconds")
            error.retryAfter = 5
            return .failure(error)
        }
    }

    /// Loads `name` on a thread of its own unless it is loading or loaded already.
    func startLoading(_ name: String) {
        guard let model = setting.models.first(where: { $0.name == name }), let path = paths[name] else { return }
        let shouldLoad = states.withLock { states -> Bool in
            guard case .unloaded = states[name] else { return false }
            states[name] = .loading
            return true
        }
        guard shouldLoad else { return }
        let contextTokens = model.contextTokens ?? setting.contextTokens
        let threads = setting.threads
        let loader = self.loader
        loadQueue.async { [self] in
            let outcome: State
            if path == "builtin:echo" {
                outcome = .ready(EchoAnswerModel(name: name, contextTokens: contextTokens))
            } else if path.hasPrefix("builtin:") {
                outcome = .failed("there is no built-in decoder \(path); the one there is: builtin:echo")
            } else if let loader {
                if let refusal = modelCheck.verify(file: path) {
                    outcome = .failed(refusal.message)
                } else {
                    do {
                        outcome = .ready(try loader(URL(fileURLWithPath: path), threads, contextTokens))
                    } catch {
                        outcome = .failed(Self.describe(error))
                    }
                }
            } else {
                outcome = .failed("this build of sottod has no decoder")
            }
            self.states.withLock { $0[name] = outcome }
        }
    }

    var status: DecoderStatus {
        let snapshot = answers.snapshot
        let states = self.states.withLock { $0 }
        return DecoderStatus(
            defaultModel: defaultModelName,
            models: setting.models.map { model in
                let state = states[model.name] ?? .missing
                var message: String?
                if case .failed(let reason) = state { message = reason }
                if case .missing = state { message = "install it with Scripts/fetch-models decoders" }
                return .init(name: model.name, file: paths[model.name] ?? model.file, state: state.name, message: message)
            },
            queue: .init(busy: snapshot.busy, waiting: snapshot.waiting, capacity: answers.capacity))
    }

    private var modelsDirectoryHint: String {
        setting.models.first.flatMap { paths[$0.name] }.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? "the models directory"
    }

    private static func describe(_ error: any Error) -> String {
        // The Generation module's errors carry a `message`; LocalizedError is how they can say it here.
        (error as? any LocalizedError)?.errorDescription ?? String(describing: error)
    }
}
