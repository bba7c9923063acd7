import Crypto
import Foundation

/// The sha256 of a model file (swift-crypto's): the daemon's check against the models manifest
/// before loading, and the weights' part of an encoder's fingerprint.
public enum ModelFileDigest {
    /// Lowercase hex sha256 of the file at `path`, read in 1 MiB pieces.
    public static func sha256Hex(ofFileAt path: String) throws -> String {
        try sha256Hex(ofFileAt: URL(fileURLWithPath: path))
    }

    /// Lowercase hex sha256 of the file at `url`, read in 1 MiB pieces.
    static func sha256Hex(ofFileAt url: URL) throws -> String {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw InferenceError.unreadableFile(path: url.path, reason: "it cannot be opened")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            } catch {
                throw InferenceError.unreadableFile(path: url.path, reason: error.localizedDescription)
            }
            if chunk.isEmpty { break }
            hasher.update(data: chunk)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
