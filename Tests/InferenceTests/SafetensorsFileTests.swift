import Foundation
import Testing
@testable import Inference

@Suite struct SafetensorsFileTests {
    /// Writes `builder` to a temporary file, opens it, and returns the error (if any) or the file.
    private func open(_ builder: SafetensorsBuilder) throws -> Result<SafetensorsFile, InferenceError> {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")
        try builder.write(to: url)
        do {
            return .success(try SafetensorsFile(url: url))
        } catch let error as InferenceError {
            return .failure(error)
        }
    }

    private func problem(_ builder: SafetensorsBuilder) throws -> String? {
        switch try open(builder) {
        case .success: return nil
        case .failure(.malformedFile(let path, let problem)):
            #expect(path.hasSuffix("model.safetensors"))
            return problem
        case .failure(let other): return "unexpected error \(other)"
        }
    }

    @Test func readsF32TensorsAndSkipsMetadata() throws {
        let builder = SafetensorsBuilder(
            header: #"{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"ids":{"dtype":"I64","shape":[1],"data_offsets":[16,24]}}"#,
            data: SafetensorsBuilder.floats([1, -2, 3.5, 0.25]) + [UInt8](repeating: 0, count: 8))
        let file = try open(builder).get()
        #expect(file.tensors["a"]?.shape == [2, 2])
        #expect(try file.floats("a") == [1, -2, 3.5, 0.25])
        #expect(file.tensors.count == 2)
        #expect(throws: InferenceError.self) { try file.floats("ids") }
        #expect(throws: InferenceError.self) { try file.floats("absent") }
    }

    @Test func readsUnalignedData() throws {
        // A 3-byte header misaligns every float after it.
        let header = #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}"#
        let builder = SafetensorsBuilder(header: header, data: SafetensorsBuilder.floats([1, 2, 3]))
        #expect(try open(builder).get().floats("a") == [1, 2, 3])
    }

    @Test func convertsF16AndBF16() throws {
        // F16: 1.0 = 0x3C00, -2.0 = 0xC000, smallest subnormal 0x0001 = 2^-24, +inf 0x7C00.
        // BF16: 1.5 = 0x3FC0, -0.5 = 0xBF00.
        let halves: [UInt16] = [0x3C00, 0xC000, 0x0001, 0x7C00]
        let brains: [UInt16] = [0x3FC0, 0xBF00]
        let data = (halves + brains).flatMap { withUnsafeBytes(of: $0.littleEndian) { Array($0) } }
        let builder = SafetensorsBuilder(
            header: #"{"h":{"dtype":"F16","shape":[4],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]}}"#,
            data: data)
        let file = try open(builder).get()
        #expect(try file.floats("h") == [1, -2, Float(sign: .plus, exponent: -24, significand: 1), .infinity])
        #expect(try file.floats("b") == [1.5, -0.5])
    }

    @Test func halfConversionMatchesFloat16ForEveryPattern() {
        #if arch(x86_64) || arch(arm64)
        for bits in UInt16.min...UInt16.max {
            let expected = Float(Float16(bitPattern: bits))
            let converted = SafetensorsFile.floatFromHalf(bits)
            #expect(converted.bitPattern == expected.bitPattern || (converted.isNaN && expected.isNaN))
            if converted.bitPattern != expected.bitPattern && !(converted.isNaN && expected.isNaN) { return }
        }
        #endif
    }

    @Test func refusesFilesShorterThanTheLengthField() throws {
        let problem = try problem(SafetensorsBuilder(header: "", data: [], declaredHeaderLength: nil))
        // An empty header is 8 bytes of length and nothing else: too small for JSON.
        #expect(problem?.contains("too small") == true)
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("short.safetensors")
        try Data([1, 2, 3]).write(to: url)
        #expect {
            try SafetensorsFile(url: url)
        } throws: { error in
            guard case InferenceError.malformedFile(let path, let problem) = error else { return false }
            return path == url.path && problem.contains("too short")
        }
    }

    @Test func refusesHeaderLengthPastTheEnd() throws {
        let builder = SafetensorsBuilder(header: "{}", data: [], declaredHeaderLength: 1000)
        #expect(try problem(builder)?.contains("runs past the end") == true)
    }

    @Test func refusesHugeHeaderLength() throws {
        let builder = SafetensorsBuilder(header: "{}", data: [], declaredHeaderLength: UInt64.max)
        #expect(try problem(builder)?.contains("implausibly large") == true)
    }

    @Test func refusesHeaderThatIsNotJSON() throws {
        #expect(try problem(SafetensorsBuilder(header: "not json at all", data: []))?.contains("JSON") == true)
        #expect(try problem(SafetensorsBuilder(header: "[1,2,3]", data: []))?.contains("JSON") == true)
        #expect(try problem(SafetensorsBuilder(header: #"{"a":{"dtype":"F32"}}"#, data: []))?.contains("JSON") == true)
        #expect(try problem(SafetensorsBuilder(header: #"{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]))?.contains("JSON") == true)
    }

    @Test func refusesUnknownDType() throws {
        let builder = SafetensorsBuilder(header: #"{"a":{"dtype":"F31","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0])
        #expect(try problem(builder)?.contains("unknown dtype \"F31\"") == true)
    }

    @Test func refusesOffsetsOutOfRange() throws {
        let past = SafetensorsBuilder(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0])
        #expect(try problem(past)?.contains("truncated") == true)
        let negative = SafetensorsBuilder(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}"#, data: [0, 0, 0, 0])
        #expect(try problem(negative)?.contains("invalid byte range") == true)
        let reversed = SafetensorsBuilder(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, data: [0, 0, 0, 0])
        #expect(try problem(reversed)?.contains("invalid byte range") == true)
        let one = SafetensorsBuilder(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}}"#, data: [0, 0, 0, 0])
        #expect(try problem(one)?.contains("data offsets") == true)
        let enormous = SafetensorsBuilder(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,9223372036854775807]}}"#, data: [0, 0, 0, 0])
        #expect(try problem(enormous)?.contains("truncated") == true)
    }

    @Test func refusesOverlappingTensors() throws {
        let builder = SafetensorsBuilder(
            header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
            data: [UInt8](repeating: 0, count: 12))
        #expect(try problem(builder)?.contains("overlap") == true)
    }

    @Test func refusesShapeThatDisagreesWithByteRange() throws {
        let builder = SafetensorsBuilder(header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8))
        #expect(try problem(builder)?.contains("needs 12 bytes") == true)
        let overflow = SafetensorsBuilder(
            header: #"{"a":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8))
        #expect(try problem(overflow)?.contains("too large") == true)
        let negative = SafetensorsBuilder(header: #"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8))
        #expect(try problem(negative)?.contains("negative") == true)
    }

    @Test func truncatedRealFileIsAnError() throws {
        let source = try Data(contentsOf: Fixtures.tinyBERT.appendingPathComponent("model.safetensors"))
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")
        for length in [0, 7, 8, 100, source.count / 2, source.count - 1] {
            try source.prefix(length).write(to: url)
            #expect(throws: InferenceError.self) { try SafetensorsFile(url: url) }
        }
    }

    @Test func missingFileIsNamed() {
        #expect(throws: InferenceError.missingFile(path: "/nonexistent/model.safetensors")) {
            try SafetensorsFile(url: URL(fileURLWithPath: "/nonexistent/model.safetensors"))
        }
    }
}
