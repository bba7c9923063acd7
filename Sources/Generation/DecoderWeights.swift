import GGUF
import Quant

/// One transformer block's weights. Matrices stay quantized in the mmap; vectors are copied as Float.
struct DecoderLayerWeights: @unchecked Sendable {
    var attentionNorm: [Float]          // (hidden)
    var query: QuantizedMatrix          // (headCount·headDim rows, hidden columns)
    var key: QuantizedMatrix            // (kvHeadCount·headDim, hidden)
    var value: QuantizedMatrix          // (kvHeadCount·headDim, hidden)
    var queryBias: [Float]?             // (headCount·headDim), qwen2 only
    var keyBias: [Float]?               // (kvHeadCount·headDim)
    var valueBias: [Float]?             // (kvHeadCount·headDim)
    var attentionOutput: QuantizedMatrix  // (hidden, headCount·headDim)
    var feedForwardNorm: [Float]        // (hidden)
    var gate: QuantizedMatrix           // (intermediate, hidden)
    var up: QuantizedMatrix             // (intermediate, hidden)
    var down: QuantizedMatrix           // (hidden, intermediate)
}

/// All weights of a decoder, checked against its configuration.
struct DecoderWeights: @unchecked Sendable {
    var tokenEmbedding: QuantizedMatrix  // (vocabulary, hidden): rows are looked up, never multiplied
    var layers: [DecoderLayerWeights]
    var outputNorm: [Float]              // (hidden)
    var output: QuantizedMatrix          // (vocabulary, hidden); token_embd when the file ties them

    init(file: GGUFFile, configuration c: DecoderConfiguration, name: String) throws(GenerationError) {
        func fail(_ reason: String) -> GenerationError { .unsupportedModel(file: name, reason: reason) }
        func matrix(_ tensorName: String, rows: Int, columns: Int) throws(GenerationError) -> QuantizedMatrix {
            guard let info = file.tensor(named: tensorName) else { throw fail("tensor \(tensorName) is missing") }
            guard info.dimensions.count == 2 || (rows == 1 && info.dimensions.count == 1),
                  info.dimensions[0] == columns, (info.dimensions.count == 1 ? 1 : info.dimensions[1]) == rows
            else {
                throw fail("tensor \(tensorName) has shape \(info.dimensions), expected [\(columns), \(rows)]")
            }
            guard info.type.isSupportedWeightType else {
                throw fail("tensor \(tensorName) has type \(info.type), which Sotto cannot read (F32, F16, Q4_0, Q4_1, Q5_0, Q8_0, Q4_K, Q6_K)")
            }
            do {
                return try QuantizedMatrix(type: info.type, rows: rows, columns: columns, data: file.data(of: info))
            } catch {
                throw fail("tensor \(tensorName): \(error.message)")
            }
        }
        func vector(_ tensorName: String, count: Int) throws(GenerationError) -> [Float] {
            let m = try matrix(tensorName, rows: 1, columns: count)
            var values = [Float](repeating: 0, count: count)
            do {
                try values.withUnsafeMutableBufferPointer { buffer throws(QuantError) in
                    guard let start = buffer.baseAddress else { return }
                    try m.dequantizeRow(0, into: start)
                }
            } catch {
                throw fail("tensor \(tensorName): \(error.message)")
            }
            return values
        }
        func optionalVector(_ tensorName: String, count: Int) throws(GenerationError) -> [Float]? {
            file.tensor(named: tensorName) == nil ? nil : try vector(tensorName, count: count)
        }

        tokenEmbedding = try matrix(DecoderTensorNames.tokenEmbedding, rows: c.vocabularySize, columns: c.hiddenSize)
        var layers: [DecoderLayerWeights] = []
        layers.reserveCapacity(c.layerCount)
        for l in 0..<c.layerCount {
            let layer = DecoderLayerWeights(
                attentionNorm: try vector(DecoderTensorNames.attentionNorm(l), count: c.hiddenSize),
                query: try matrix(DecoderTensorNames.query(l), rows: c.queryDim, columns: c.hiddenSize),
                key: try matrix(DecoderTensorNames.key(l), rows: c.kvDim, columns: c.hiddenSize),
                value: try matrix(DecoderTensorNames.value(l), rows: c.kvDim, columns: c.hiddenSize),
                queryBias: try optionalVector(DecoderTensorNames.queryBias(l), count: c.queryDim),
                keyBias: try optionalVector(DecoderTensorNames.keyBias(l), count: c.kvDim),
                valueBias: try optionalVector(DecoderTensorNames.valueBias(l), count: c.kvDim),
                attentionOutput: try matrix(DecoderTensorNames.attentionOutput(l), rows: c.hiddenSize, columns: c.queryDim),
                feedForwardNorm: try vector(DecoderTensorNames.feedForwardNorm(l), count: c.hiddenSize),
                gate: try matrix(DecoderTensorNames.gate(l), rows: c.intermediateSize, columns: c.hiddenSize),
                up: try matrix(DecoderTensorNames.up(l), rows: c.intermediateSize, columns: c.hiddenSize),
                down: try matrix(DecoderTensorNames.down(l), rows: c.hiddenSize, columns: c.intermediateSize))
            if c.hasQKVBias, layer.queryBias == nil || layer.keyBias == nil || layer.valueBias == nil {
                throw fail("block \(l) lacks the Q/K/V biases a qwen2 model has")
            }
            layers.append(layer)
        }
        self.layers = layers
        outputNorm = try vector(DecoderTensorNames.outputNorm, count: c.hiddenSize)
        if file.tensor(named: DecoderTensorNames.output) != nil {
            output = try matrix(DecoderTensorNames.output, rows: c.vocabularySize, columns: c.hiddenSize)
        } else {
            output = tokenEmbedding
        }
    }
}
