import Foundation
import Inference
import Synchronization

/// Checks a model file before it is loaded: its sha256 must be the one in the models directory's
/// `manifest.json`, which `Scripts/fetch-models` writes from the hashes in its model table (not from
/// what it downloaded). A file the manifest does not list (a model the user brought) is refused
/// unless `[models] allow_unlisted = true`.
///
/// Hashing the 1.1 GB decoder takes seconds, so a file's hash is remembered in
/// `.sottod-verified.json` beside the manifest, keyed by path, size, modification time and inode:
/// any change to the file (rewritten, replaced, touched) hashes it again.
struct ModelCheck: Sendable {
    let modelsDirectory: String
    let allowsUnlisted: Bool

    static let manifestName = "manifest.json"
    static let cacheName = ".sottod-verified.json"
    private static let cacheLock = Mutex(())

    struct Failure: Error, Sendable {
        let message: String
    }

    /// The manifest's entries: path relative to the models directory → sha256 (lowercase hex).
    func manifest() -> [String: String] {
        guard let data = FileManager.default.contents(atPath: modelsDirectory + "/" + Self.manifestName),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let files = object["files"] as? [String: Any]
        else { return [:] }
        var out: [String: String] = [:]
        for (path, value) in files {
            if let entry = value as? [String: Any], let sha = entry["sha256"] as? String { out[path] = sha.lowercased() }
        }
        return out
    }

    /// Verifies the file at `path`: nil when it may be loaded, else why not.
    func verify(file path: String) -> Failure? {
        verify(files: [path], label: (path as NSString).lastPathComponent)
    }

    /// Verifies the files of an encoder folder that the manifest lists (weights, tokenizer,
    /// vocabulary); the folder counts as unlisted when its weights are not listed.
    func verify(encoderDirectory directory: String) -> Failure? {
        let listed = manifest()
        let weights = directory + "/model.safetensors"
        guard let relative = relativePath(weights), listed[relative] != nil else {
            return allowsUnlisted ? nil : unlisted(directory)
        }
        let files = ["model.safetensors", "tokenizer.json", "vocab.txt"].map { directory + "/" + $0 }
            .filter { relativePath($0).map { listed[$0] != nil } ?? false }
        return verify(files: files, label: (directory as NSString).lastPathComponent)
    }

    private func verify(files: [String], label: String) -> Failure? {
        let listed = manifest()
        for path in files {
            guard let relative = relativePath(path), let expected = listed[relative] else {
                if allowsUnlisted { continue }
                return unlisted(path)
            }
            let actual: String
            do {
                actual = try sha256(of: path)
            } catch {
                return Failure(message: "cannot read \(path) to check it: \(error.localizedDescription)")
            }
            guard actual == expected else {
                return Failure(message:
                    "refused \(label): the sha256 of \(path) is \(actual), but \(Self.manifestName) expects \(expected); "
                    + "the file is damaged or was replaced. Fetch it again with Scripts/fetch-models")
            }
        }
        return nil
    }

    private func unlisted(_ path: String) -> Failure {
        Failure(message:
            "refused \(path): it is not listed in \(modelsDirectory)/\(Self.manifestName), so its sha256 cannot be checked. "
            + "Install models with Scripts/fetch-models, or allow your own with allow_unlisted_models = true in sottod.toml")
    }

    /// The path relative to the models directory, or nil for a file outside it.
    private func relativePath(_ path: String) -> String? {
        let base = (modelsDirectory as NSString).standardizingPath
        let full = (path as NSString).standardizingPath
        guard full.hasPrefix(base + "/") else { return nil }
        return String(full.dropFirst(base.count + 1))
    }

    /// The file's sha256, from the cache when size, modification time and inode are unchanged.
    func sha256(of path: String) throws -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let key = "\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec):\(info.st_ino)"
        let cachePath = modelsDirectory + "/" + Self.cacheName
        if let cached = Self.cacheLock.withLock({ _ in Self.readCache(cachePath)[path] }), cached.hasPrefix(key + "=") {
            return String(cached.dropFirst(key.count + 1))
        }
        let digest = try ModelFileDigest.sha256Hex(ofFileAt: path)
        Self.cacheLock.withLock { _ in
            var cache = Self.readCache(cachePath)
            cache[path] = key + "=" + digest
            // Best effort: a models directory the daemon may not write only costs hashing again.
            if let encoded = try? JSONSerialization.data(withJSONObject: cache, options: [.sortedKeys]) {
                try? encoded.write(to: URL(fileURLWithPath: cachePath), options: .atomic)
            }
        }
        return digest
    }

    private static func readCache(_ path: String) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        return (try? JSONSerialization.jsonObject(with: data) as? [String: String]) ?? [:]
    }
}
