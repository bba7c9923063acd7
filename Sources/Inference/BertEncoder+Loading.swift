import Foundation

extension BertEncoder {
    /// Loads config.json, the sentence-transformers files and model.safetensors from `directory`,
    /// the linear layers kept for `kernel`.
    init(modelDirectory directory: URL, kernel: LinearWeight.Kernel = .preferred) throws {
        let configuration = try BertConfiguration(contentsOf: directory.appendingPathComponent("config.json"))
        let sentence = try SentenceEncoderConfiguration(directory: directory, bert: configuration)
        let file = try SafetensorsFile(url: directory.appendingPathComponent("model.safetensors"))
        self.init(configuration: configuration, sentence: sentence, weights: try BertWeights(file: file, configuration: configuration, kernel: kernel))
    }
}
