public import Foundation

/// The real models the tests use when they are installed, found in one place for every test target:
/// `$SOTTO_MODELS_DIR`, else ~/.local/share/sotto/models (where Scripts/fetch-models installs them;
/// CI fetches them all). A test that needs one is skipped without it, with `missing(_:)` as its reason.
public enum TestModels {
    public static let encoder = "all-MiniLM-L6-v2"
    public static let qwen05 = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
    public static let qwen15 = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    public static let smolLM2 = "smollm2-135m-instruct-q4_1.gguf"

    public static var directory: URL {
        if let path = ProcessInfo.processInfo.environment["SOTTO_MODELS_DIR"], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share/sotto/models")
    }

    /// `name` under the models directory (a file, or a model folder such as `encoder`).
    public static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// The installed file or folder, or nil. A folder counts once its weights are there.
    public static func installed(_ name: String) -> URL? {
        let url = url(name)
        let probe = name == encoder ? url.appendingPathComponent("model.safetensors") : url
        return FileManager.default.fileExists(atPath: probe.path) ? url : nil
    }

    public static func isInstalled(_ name: String) -> Bool { installed(name) != nil }

    /// Why a test that needs `name` is skipped.
    public static func missing(_ name: String) -> String {
        "\(name) is not installed in \(directory.path) ($SOTTO_MODELS_DIR; Scripts/fetch-models \(name == encoder ? "encoder" : "decoders") installs it)"
    }

    /// SOTTO_SLOW_TESTS=1 runs the tests that take minutes (the 1.5B decoder's parity, whole perplexity runs).
    public static var slowTestsEnabled: Bool { ProcessInfo.processInfo.environment["SOTTO_SLOW_TESTS"] == "1" }
}
