import Foundation
import Testing
@testable import Storage

/// A fresh folder under the system temporary directory, removed when `body` returns.
@discardableResult
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("sotto-storage-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
}

/// A newly created store in its own temporary folder, closed and removed when `body` returns.
@discardableResult
func withTemporaryStore<T>(_ body: (Store) async throws -> T) async throws -> T {
    try await withTemporaryDirectory { directory in
        let store = try Store(path: directory.appendingPathComponent("index.sqlite").path)
        defer { try? store.close() }
        return try await body(store)
    }
}

/// A whole second, so it survives the store's millisecond date precision exactly.
let fixedDate = Date(timeIntervalSince1970: 1_700_000_000)

func makeDocument(
    rootId: Int64, path: String, status: DocumentStatus = .indexed, reason: String? = nil,
    inode: Int64 = 1, contentHash: String? = "hash"
) -> DocumentRecord {
    DocumentRecord(
        rootId: rootId, path: path, device: 42, inode: inode, size: 100, mtimeNanoseconds: 1_000_000_000,
        contentHash: contentHash, status: status, reason: reason, encoding: "utf-8", kind: "text",
        chunkCount: 0, indexedAt: fixedDate)
}

/// Chunks with ordinals 0, 1, … and made-up but valid ranges.
func makeChunks(_ texts: [String], section: String? = nil) -> [Chunk] {
    texts.enumerated().map { index, text in
        Chunk(
            ordinal: index, text: text, section: section, byteStart: index * 1000,
            byteEnd: index * 1000 + text.utf8.count, lineStart: index * 10 + 1, lineEnd: index * 10 + 5)
    }
}

/// Adds a root with no rules and returns its id.
func addRoot(_ store: Store, path: String = "/r") async throws -> Int64 {
    let root = try await store.addRoot(path: path, include: [], exclude: [], useDefaultExcludes: true)
    return try #require(root.id)
}
