import Foundation

/// The sha256 of a model file, for the daemon's check against the models manifest before loading.
/// Here because this module's SHA-256 is built optimised in debug builds too (a 90 MB encoder hashes
/// in well under a second; the unoptimised one took over 30 s).
public enum ModelFileDigest {
    /// Lowercase hex sha256 of the file at `path`, read in 1 MiB pieces.
    public static func sha256Hex(ofFileAt path: String) throws -> String {
        try SHA256.hexDigest(ofFileAt: URL(fileURLWithPath: path))
    }
}
