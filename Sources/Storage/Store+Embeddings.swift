import Foundation
import GRDB

/// A chunk that still needs a vector from the encoder.
public struct ChunkToEmbed: Sendable, Equatable {
    public var id: Int64
    public var text: String
    public var section: String?
    public init(id: Int64, text: String, section: String?) {
        self.id = id
        self.text = text
        self.section = section
    }
}

/// An encoder whose vectors the store holds.
public struct EmbeddingModelRecord: Sendable, Equatable {
    /// Name plus weights hash: a different file is a different model.
    public var fingerprint: String
    public var name: String
    public var dimension: Int
    public var isActive: Bool
    public init(fingerprint: String, name: String, dimension: Int, isActive: Bool) {
        self.fingerprint = fingerprint
        self.name = name
        self.dimension = dimension
        self.isActive = isActive
    }
}

/// One model's vectors, as one contiguous row-major matrix (`ids.count` × `dimension`).
public struct EmbeddingMatrix: Sendable {
    public var ids: [Int64]
    public var values: [Float]
    public var dimension: Int
}

extension Store {
    // MARK: - Models

    /// Records an encoder (idempotent). The first model recorded becomes the active one.
    public func registerEmbeddingModel(fingerprint: String, name: String, dimension: Int) async throws {
        try await write { db in
            let anyActive = try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM embedding_model WHERE isActive)") ?? false
            try db.execute(
                sql: """
                    INSERT INTO embedding_model(fingerprint, name, dimension, isActive, createdAt) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(fingerprint) DO NOTHING
                    """,
                arguments: [fingerprint, name, dimension, !anyActive, Date()])
        }
    }

    public func embeddingModels() async throws -> [EmbeddingModelRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM embedding_model ORDER BY createdAt").map { row in
                EmbeddingModelRecord(
                    fingerprint: (try row.decode(forColumn: "fingerprint") as String),
                    name: (try row.decode(forColumn: "name") as String),
                    dimension: (try row.decode(forColumn: "dimension") as Int),
                    isActive: (try row.decode(forColumn: "isActive") as Bool))
            }
        }
    }

    /// Makes `fingerprint` the model search uses and deletes every other model's vectors, in one
    /// transaction.
    public func activateEmbeddingModel(_ fingerprint: String) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE embedding_model SET isActive = (fingerprint = ?)", arguments: [fingerprint])
            try db.execute(sql: "DELETE FROM embedding_model WHERE fingerprint <> ?", arguments: [fingerprint])
        }
    }

    // MARK: - Vectors

    /// Chunks with no vector from `fingerprint`, in id order, starting after `afterId`.
    public func chunksNeedingEmbedding(fingerprint: String, afterId: Int64, limit: Int) async throws -> [ChunkToEmbed] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT c.id, c.text, c.section FROM chunk c
                    WHERE c.id > ? AND NOT EXISTS (SELECT 1 FROM embedding e WHERE e.fingerprint = ? AND e.chunkId = c.id)
                    ORDER BY c.id LIMIT ?
                    """,
                arguments: [afterId, fingerprint, max(1, limit)]
            ).map { row in
                ChunkToEmbed(
                    id: (try row.decode(forColumn: "id") as Int64), text: (try row.decode(forColumn: "text") as String),
                    section: (try row.decode(forColumn: "section") as String?))
            }
        }
    }

    /// Stores vectors; a chunk deleted meanwhile is skipped (its vector would be an orphan).
    public func saveEmbeddings(fingerprint: String, _ vectors: [(chunkId: Int64, vector: [Float])]) async throws {
        try await write { db in
            let statement = try db.makeStatement(
                sql: """
                    INSERT OR REPLACE INTO embedding(fingerprint, chunkId, vector)
                    SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM chunk WHERE id = ?)
                    """)
            for (chunkId, vector) in vectors {
                try statement.execute(arguments: [fingerprint, chunkId, Self.blob(vector), chunkId])
            }
        }
    }

    /// How many chunks there are, and how many of them have a vector from `fingerprint`.
    public func embeddingProgress(fingerprint: String) async throws -> (embedded: Int, chunks: Int) {
        try await read { db in
            let chunks = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM chunk") ?? 0
            let embedded = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM embedding WHERE fingerprint = ?", arguments: [fingerprint]) ?? 0
            return (embedded, chunks)
        }
    }

    /// Every vector of one model, in chunk id order, in one contiguous matrix.
    public func loadEmbeddings(fingerprint: String, dimension: Int) async throws -> EmbeddingMatrix {
        try await read { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM embedding WHERE fingerprint = ?", arguments: [fingerprint]) ?? 0
            var ids: [Int64] = []
            ids.reserveCapacity(count)
            var values: [Float] = []
            values.reserveCapacity(count * dimension)
            let rows = try Row.fetchCursor(
                db, sql: "SELECT chunkId, vector FROM embedding WHERE fingerprint = ? ORDER BY chunkId", arguments: [fingerprint])
            while let row = try rows.next() {
                let data: Data = (try row.decode(forColumn: "vector") as Data)
                guard data.count == dimension * 4 else {
                    throw StoreError.corrupt("a stored vector has \(data.count / 4) values, expected \(dimension)")
                }
                ids.append((try row.decode(forColumn: "chunkId") as Int64))
                Self.appendFloats(data, to: &values)
            }
            return EmbeddingMatrix(ids: ids, values: values, dimension: dimension)
        }
    }

    /// Folds every vector of one model, in chunk id order, into `initial` without holding them all as
    /// Float32 at once (a million 384-dimensional vectors are 1.5 GB as floats).
    public func reduceEmbeddings<Result: Sendable>(
        fingerprint: String, dimension: Int, into initial: Result,
        _ update: @escaping @Sendable (inout Result, Int64, UnsafeBufferPointer<Float>) throws -> Void
    ) async throws -> Result {
        try await read { db in
            var result = initial
            var vector = [Float](repeating: 0, count: dimension)
            let rows = try Row.fetchCursor(
                db, sql: "SELECT chunkId, vector FROM embedding WHERE fingerprint = ? ORDER BY chunkId", arguments: [fingerprint])
            while let row = try rows.next() {
                let data: Data = try row.decode(forColumn: "vector")
                guard data.count == dimension * 4 else {
                    throw StoreError.corrupt("a stored vector has \(data.count / 4) values, expected \(dimension)")
                }
                data.withUnsafeBytes { raw in
                    for i in 0..<dimension {
                        vector[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
                    }
                }
                let id: Int64 = try row.decode(forColumn: "chunkId")
                try vector.withUnsafeBufferPointer { try update(&result, id, $0) }
            }
            return result
        }
    }

    /// The stored vectors of some chunks (missing ones are left out).
    public func embeddings(fingerprint: String, chunkIds: [Int64]) async throws -> [Int64: [Float]] {
        guard !chunkIds.isEmpty else { return [:] }
        return try await read { db in
            var out: [Int64: [Float]] = [:]
            for batch in stride(from: 0, to: chunkIds.count, by: 500) {
                let ids = Array(chunkIds[batch..<min(batch + 500, chunkIds.count)])
                let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
                let rows = try Row.fetchAll(
                    db, sql: "SELECT chunkId, vector FROM embedding WHERE fingerprint = ? AND chunkId IN (\(marks))",
                    arguments: [fingerprint] + StatementArguments(ids))
                for row in rows {
                    var values: [Float] = []
                    Self.appendFloats((try row.decode(forColumn: "vector") as Data), to: &values)
                    out[(try row.decode(forColumn: "chunkId") as Int64)] = values
                }
            }
            return out
        }
    }

    /// Ids of chunks deleted since the last call (for the in-memory vector matrix), emptying the list.
    public func drainDeletedChunks() async throws -> [Int64] {
        try await write { db in
            try Int64.fetchAll(db, sql: "DELETE FROM chunk_tombstone RETURNING chunkId")
        }
    }

    // MARK: - Blobs

    static func blob(_ vector: [Float]) -> Data {
        var data = Data(capacity: vector.count * 4)
        for value in vector {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
        return data
    }

    static func appendFloats(_ data: Data, to values: inout [Float]) {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset + 4 <= raw.count {
                let bits = raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
                values.append(Float(bitPattern: UInt32(littleEndian: bits)))
                offset += 4
            }
        }
    }
}
