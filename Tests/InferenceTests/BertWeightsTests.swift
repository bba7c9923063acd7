import Foundation
import Testing
@testable import Inference

@Suite struct BertWeightsTests {
    private let configuration: BertConfiguration

    init() throws {
        configuration = try BertConfiguration(contentsOf: Fixtures.tinyBERT.appendingPathComponent("config.json"))
    }

    @Test func fusesQueryKeyAndValue() throws {
        let file = try SafetensorsFile(url: Fixtures.tinyBERT.appendingPathComponent("model.safetensors"))
        let weights = try BertWeights(file: file, configuration: configuration)
        #expect(weights.layers.count == 2)
        let layer = weights.layers[1]
        #expect(layer.qkvWeight.rowMajor.count == 3 * 16 * 16)
        #expect(Array(layer.qkvWeight.rowMajor[256..<512]) == (try file.floats("bert.encoder.layer.1.attention.self.key.weight")))
        #expect(Array(layer.qkvBias[32..<48]) == (try file.floats("bert.encoder.layer.1.attention.self.value.bias")))
    }

    /// Rewrites the tiny model's weights file with one tensor renamed or reshaped.
    private func damagedFile(renaming name: String, to newName: String? = nil, shape: [Int]? = nil) throws -> (SafetensorsFile, URL) {
        let source = try SafetensorsFile(url: Fixtures.tinyBERT.appendingPathComponent("model.safetensors"))
        var entries: [String] = []
        var data: [UInt8] = []
        for info in source.tensors.values.sorted(by: { $0.name < $1.name }) {
            guard info.dtype == .f32 else { continue }
            let floats = try source.floats(info.name)
            let tensorName = info.name == name ? (newName ?? name) : info.name
            let tensorShape = info.name == name ? (shape ?? info.shape) : info.shape
            entries.append(#""\#(tensorName)":{"dtype":"F32","shape":\#(tensorShape),"data_offsets":[\#(data.count),\#(data.count + 4 * floats.count)]}"#)
            data += SafetensorsBuilder.floats(floats)
        }
        let directory = try Fixtures.temporaryDirectory()
        let url = directory.appendingPathComponent("model.safetensors")
        try SafetensorsBuilder(header: "{" + entries.joined(separator: ",") + "}", data: data).write(to: url)
        return (try SafetensorsFile(url: url), directory)
    }

    @Test func missingTensorIsNamed() throws {
        let (file, directory) = try damagedFile(renaming: "bert.encoder.layer.1.output.dense.bias", to: "something.else")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: InferenceError.missingTensor(path: file.url.path, name: "bert.encoder.layer.1.output.dense.bias")) {
            try BertWeights(file: file, configuration: configuration)
        }
    }

    @Test func wrongShapeIsNamed() throws {
        // Same byte count, other shape: the file is valid, the model is not.
        let (file, directory) = try damagedFile(renaming: "bert.encoder.layer.0.intermediate.dense.weight", shape: [16, 32])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: InferenceError.wrongShape(path: file.url.path, name: "bert.encoder.layer.0.intermediate.dense.weight",
                                                  expected: [32, 16], found: [16, 32])) {
            try BertWeights(file: file, configuration: configuration)
        }
    }

    @Test func unprefixedNamesAndGammaBetaNormsLoad() throws {
        // Strip "bert." from every name and call one LayerNorm's parameters gamma/beta, as old checkpoints do.
        let source = try SafetensorsFile(url: Fixtures.tinyBERT.appendingPathComponent("model.safetensors"))
        var entries: [String] = [], data: [UInt8] = []
        for info in source.tensors.values.sorted(by: { $0.name < $1.name }) where info.dtype == .f32 {
            var name = String(info.name.dropFirst("bert.".count))
            if name == "embeddings.LayerNorm.weight" { name = "embeddings.LayerNorm.gamma" }
            if name == "embeddings.LayerNorm.bias" { name = "embeddings.LayerNorm.beta" }
            let floats = try source.floats(info.name)
            entries.append(#""\#(name)":{"dtype":"F32","shape":\#(info.shape),"data_offsets":[\#(data.count),\#(data.count + 4 * floats.count)]}"#)
            data += SafetensorsBuilder.floats(floats)
        }
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")
        try SafetensorsBuilder(header: "{" + entries.joined(separator: ",") + "}", data: data).write(to: url)
        let renamed = try BertWeights(file: try SafetensorsFile(url: url), configuration: configuration)
        let original = try BertWeights(file: source, configuration: configuration)
        #expect(renamed.embeddingNormGamma == original.embeddingNormGamma)
        #expect(renamed.layers[1].downWeight.rowMajor == original.layers[1].downWeight.rowMajor)
    }
}
