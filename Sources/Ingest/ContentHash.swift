import Crypto
import Foundation

/// The SHA-256 of file contents (swift-crypto's), as lowercase hex: it tells a changed file from one
/// whose mtime merely moved, and a moved file from a new one. Not used for security.
public enum ContentHash {
    /// Lowercase hex SHA-256 of `bytes`.
    public static func sha256Hex(_ bytes: UnsafeRawBufferPointer) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// A finished digest (swift-crypto's `SHA256Digest`, or its bytes) as lowercase hex.
    static func hex<Digest: Sequence<UInt8>>(_ digest: Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    /// Lowercase hex SHA-256 of `data`.
    public static func sha256Hex(_ data: [UInt8]) -> String {
        data.withUnsafeBytes { sha256Hex($0) }
    }
}
