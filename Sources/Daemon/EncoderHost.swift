import Dispatch
import Foundation
import Inference
import Ingest
import Retrieval

/// The loaded sentence encoder, adapted to the ports Ingest and Retrieval declare. Forward passes
/// block for up to a second, so they run on queues of their own, off the cooperative pool that
/// serves requests. Queries get their own `Embedder` (the weights are shared through the page
/// cache), so a search never waits behind a batch of passages being indexed.
final class EncoderHost: Sendable {
    let passages: Embedder
    let queries: Embedder
    let batchSize: Int
    private let passageQueue = DispatchQueue(label: "sotto.encoder.passages", qos: .utility)
    private let queryQueue = DispatchQueue(label: "sotto.encoder.queries", qos: .userInitiated)

    init(directory: URL, threads: Int?, prefixes: EmbeddingPrefixes, batchSize: Int) throws {
        passages = try Embedder(modelDirectory: directory, threads: threads, prefixes: prefixes)
        try Self.probe(passages)
        queries = try Embedder(modelDirectory: directory, threads: threads, prefixes: prefixes)
        self.batchSize = batchSize
    }

    /// A model can parse and still be broken (a NaN among its weights, a bad norm): it must embed a
    /// probe sentence to a finite vector of unit length before search and indexing rely on it.
    static func probe(_ embedder: Embedder) throws {
        let vectors = try embedder.embed(["A probe sentence to check the encoder.", "query: where is the lease?"], role: .passage, batchSize: 2)
        for vector in vectors {
            guard vector.count == embedder.dimension, vector.allSatisfy(\.isFinite) else {
                throw EncoderProbeFailure(reason: "it embeds a probe sentence to a vector with NaN or infinite values (corrupt weights?)")
            }
            let norm = vector.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
            guard norm > 0, !embedder.normalizes || abs(norm - 1) < 1e-3 else {
                throw EncoderProbeFailure(reason: "it embeds a probe sentence to a vector of length \(norm), not 1 (corrupt weights?)")
            }
        }
    }

    /// The weights' fingerprint and how passages are put to them (`PassageContext`).
    var fingerprint: String { passages.fingerprint + "+" + PassageContext.version }
    var modelName: String { passages.modelName }
    var dimension: Int { passages.dimension }

    func embedPassages(_ texts: [String]) async throws -> [[Float]] {
        try await run(on: passageQueue) { [passages, batchSize] in try passages.embed(texts, role: .passage, batchSize: batchSize) }
    }

    func embedQuery(_ text: String) async throws -> [Float] {
        try await run(on: queryQueue) { [queries] in try queries.embed([text], role: .query, batchSize: 1).first ?? [] }
    }

    /// Texts for `/v1/embeddings`, embedded as passages are (the stored vectors' space), on the
    /// query queue so that they do not wait behind indexing.
    func embedTexts(_ texts: [String]) async throws -> [[Float]] {
        try await run(on: queryQueue) { [queries, batchSize] in try queries.embed(texts, role: .passage, batchSize: batchSize) }
    }

    /// Tokens `text` takes as `embedTexts` embeds it, [CLS] and [SEP] included.
    func passageTokenCount(_ text: String) -> Int {
        queries.tokenCount(Substring(queries.prefixes.passage + text)) + 2
    }

    private func run<T: Sendable>(on queue: DispatchQueue, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}

struct PassageEncoder: PassageEmbedding {
    let host: EncoderHost
    var fingerprint: String { host.fingerprint }
    var modelName: String { host.modelName }
    var dimension: Int { host.dimension }
    func embedPassages(_ texts: [String]) async throws -> [[Float]] { try await host.embedPassages(texts) }
}

struct QueryEncoder: QueryEmbedding {
    let host: EncoderHost
    var fingerprint: String { host.fingerprint }
    var dimension: Int { host.dimension }
    func embedQuery(_ text: String) async throws -> [Float] { try await host.embedQuery(text) }
}

/// The encoder's own tokenizer as the chunker's ruler, so chunks fit the window exactly.
struct EncoderTokenCounter: TokenCounting {
    let embedder: Embedder
    func tokenCount(_ text: Substring) -> Int { embedder.tokenCount(text) }
}

/// The encoder loaded but does not embed sensibly.
struct EncoderProbeFailure: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}
