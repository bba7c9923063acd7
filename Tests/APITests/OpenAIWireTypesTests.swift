import API
import Foundation
import Testing

/// The OpenAI request shapes clients send: content as a string or parts, stop as a string or a
/// list, input as text or token ids; and base64 vectors as OpenAI encodes them.
struct OpenAIWireTypesTests {
    func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try WireJSON.makeDecoder().decode(T.self, from: Data(json.utf8))
    }

    @Test func readsMessageContentAsTextOrTextParts() throws {
        let request = try decode(OpenAIChatRequest.self, """
            {"model": "sotto", "frequency_penalty": 0, "user": "x", "messages": [
              {"role": "system", "content": "Be brief."},
              {"role": "user", "content": [{"type": "text", "text": "When "}, {"type": "text", "text": "now?"}]},
              {"role": "assistant", "content": null},
              {"role": "assistant"}],
             "max_completion_tokens": 7, "top_p": 0.5, "seed": -3, "stop": "\\n\\n", "stream_options": {"include_usage": true}}
            """)
        #expect(request.messages.map(\.content) == ["Be brief.", "When now?", nil, nil])
        #expect(request.maxCompletionTokens == 7 && request.topP == 0.5 && request.seed == -3)
        #expect(request.stop?.strings == ["\n\n"])
        #expect(request.streamOptions?.includeUsage == true)
        #expect(try decode(OpenAIStop.self, #"["a", "b"]"#).strings == ["a", "b"])
        #expect(throws: DecodingError.self) {
            try decode(OpenAIChatMessage.self, #"{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}"#)
        }
    }

    @Test func readsEmbeddingInputAsTextsOrRefusableTokenIds() throws {
        #expect(try decode(OpenAIEmbeddingRequest.self, #"{"input": "a"}"#).input == .texts(["a"]))
        #expect(try decode(OpenAIEmbeddingRequest.self, #"{"input": ["a", "b"], "encoding_format": "base64"}"#).input == .texts(["a", "b"]))
        #expect(try decode(OpenAIEmbeddingRequest.self, #"{"input": [1, 2, 3]}"#).input == .tokens)
        #expect(try decode(OpenAIEmbeddingRequest.self, #"{"input": [[1, 2], [3]]}"#).input == .tokens)
        #expect(throws: DecodingError.self) { try decode(OpenAIEmbeddingRequest.self, #"{"input": {"a": 1}}"#) }
    }

    @Test func encodesBase64AsLittleEndianFloat32() throws {
        guard case .base64(let text) = OpenAIEmbeddingResponse.Vector.base64(of: [1, -2.5]) else {
            Issue.record("not base64")
            return
        }
        let bytes = try #require(Data(base64Encoded: text))
        #expect(Array(bytes) == [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC0])
    }

    @Test func sendsNullWhereOpenAISendsNull() throws {
        let chunk = OpenAIChatChunk(id: "c", created: 1, model: "m", choices: [.init(index: 0, delta: .init(content: "x"), finishReason: nil)])
        let text = String(decoding: try WireJSON.makeEncoder().encode(chunk), as: UTF8.self)
        #expect(text.contains(#""finish_reason":null"#))
        #expect(!text.contains("usage") && !text.contains("sotto"))
        let error = OpenAIErrorBody(error: .init(message: "m", type: "invalid_request_error", param: nil, code: "bad_request"))
        #expect(String(decoding: try WireJSON.makeEncoder().encode(error), as: UTF8.self)
            == #"{"error":{"code":"bad_request","message":"m","param":null,"type":"invalid_request_error"}}"#)
    }
}
