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

    /// Loaded once for all the tests of the suite (the model is 90 MB): in float arithmetic, which
    /// must give sentence-transformers' vectors to within rounding, and in the default one (int8
    /// where the CPU has AVX-512 VNNI).
    private static let loaded = Result { () throws -> (Goldens, Embedder, Embedder) in
        let url = Fixtures.directory.appendingPathComponent("minilm-goldens.json")
        return (
            try JSONDecoder().decode(Goldens.self, from: Data(contentsOf: url)),
            try Embedder(modelDirectory: Fixtures.miniLM, arithmetic: .float), try Embedder(modelDirectory: Fixtures.miniLM))
    }

    let goldens: Goldens
    /// Float arithmetic.
    let embedder: Embedder
    /// The default arithmetic.
    let fastest: Embedder

    init() throws {
        (goldens, embedder, fastest) = try Self.loaded.get()
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

    /// The int8 products (each token's activations quantized in blocks of 32) keep the vectors
    /// within the bound the issue set for an int8 path (cosine ≥ 0.995 to the float vectors); the
    /// retrieval figures are in docs/EVALUATION.md.
    @Test(.enabled(if: LinearWeight.Kernel.int8.runs, "the int8 products need AVX-512 VNNI; this CPU encodes in float"))
    func int8ProductsStayCloseToSentenceTransformersVectors() throws {
        #expect(LinearWeight.Kernel.preferred == .int8)
        let vectors = try fastest.embed(tokenIDs: goldens.records.map(\.ids), batchSize: 32)
        let similarities = zip(goldens.records, vectors).map { cosine($1, $0.floats) }
        let worst = similarities.min() ?? 0
        let mean = similarities.reduce(0, +) / Double(max(similarities.count, 1))
        #expect(worst >= 0.995)
        #expect(mean >= 0.999)
        // Not float arithmetic by another name: the products do differ from it.
        #expect(worst < 0.99999)
    }

    @Test(arguments: [false, true])
    func batchedWithPaddingEqualsOneByOne(int8: Bool) throws {
        let embedder = int8 ? fastest : embedder
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
