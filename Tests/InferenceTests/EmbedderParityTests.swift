import Foundation
import Testing
@testable import Inference

/// all-MiniLM-L6-v2 against sentence-transformers, on the goldens Scripts/make-encoder-goldens wrote.
/// Runs only where the model is installed (Scripts/fetch-models; CI fetches it).
@Suite(.enabled(if: Fixtures.hasMiniLM, Fixtures.noMiniLM))
struct EmbedderParityTests {
    struct Golden: Decodable {
        let text: String
        let ids: [Int32]
        let vector: String

        var floats: [Float] {
            guard let data = Data(base64Encoded: vector) else { return [] }
            return data.withUnsafeBytes { raw in
                (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            }
        }
    }

    struct Goldens: Decodable {
        let model: String
        let max_seq_length: Int
        let dimension: Int
        let records: [Golden]
    }

    /// Loaded once for all the tests of the suite: the model is 90 MB.
    private static let loaded = Result { () throws -> (Goldens, Embedder) in
        let url = Fixtures.directory.appendingPathComponent("minilm-goldens.json")
        return (try JSONDecoder().decode(Goldens.self, from: Data(contentsOf: url)), try Embedder(modelDirectory: Fixtures.miniLM))
    }

    let goldens: Goldens
    let embedder: Embedder

    init() throws {
        (goldens, embedder) = try Self.loaded.get()
    }

    @Test func describesTheModel() {
        #expect(embedder.dimension == 384)
        #expect(embedder.maxSequenceLength == 256)
        #expect(embedder.modelName == "all-MiniLM-L6-v2")
        #expect(embedder.fingerprint == "all-MiniLM-L6-v2@sha256:53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db")
    }

    @Test func goldenTokenIDsGiveSentenceTransformersVectors() throws {
        #expect(goldens.records.count >= 500)
        #expect(goldens.records.contains { $0.ids.count == goldens.max_seq_length })
        let vectors = try embedder.embed(tokenIDs: goldens.records.map(\.ids), batchSize: 32)
        var worst = 1.0
        for (golden, vector) in zip(goldens.records, vectors) {
            let similarity = cosine(vector, golden.floats)
            worst = min(worst, similarity)
            #expect(similarity >= 0.99999, "\(golden.text.prefix(60))")
        }
        #expect(worst >= 0.99999)
    }

    @Test func batchedWithPaddingEqualsOneByOne() throws {
        // Mixed lengths in one batch: 2 tokens up to the full window.
        let sample = stride(from: 0, to: goldens.records.count, by: 17).map { goldens.records[$0].ids }
        #expect(Set(sample.map(\.count)).count > 10)
        let batched = try embedder.embed(tokenIDs: sample, batchSize: sample.count)
        for (ids, vector) in zip(sample, batched) {
            let single = try embedder.embed(tokenIDs: [ids], batchSize: 1)[0]
            #expect(maxAbsoluteDifference(single, vector) < 1e-5)
        }
    }

    @Test func textsGiveSentenceTransformersVectors() throws {
        let vectors = try embedder.embed(goldens.records.map(\.text), batchSize: 32)
        var mismatchedIDs = 0
        for (golden, vector) in zip(goldens.records, vectors) {
            #expect(cosine(vector, golden.floats) >= 0.99999, "\(golden.text.prefix(60))")
            if embedder.tokenCount(Substring(golden.text)) != min(golden.ids.count - 2, goldens.max_seq_length - 2),
               golden.ids.count < goldens.max_seq_length {
                mismatchedIDs += 1
            }
        }
        #expect(mismatchedIDs == 0)
    }
}
