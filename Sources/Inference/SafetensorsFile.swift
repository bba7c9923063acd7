#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Foundation
import Tokenizer

/// A memory-mapped `.safetensors` file: an 8-byte little-endian header length, a JSON header that
/// names each tensor's dtype, shape and byte range, then the tensor data.
///
/// The header is untrusted input. Every length, offset and shape is checked against the file size
/// and against each other before any byte of tensor data is read, so a damaged or hostile file
/// raises `InferenceError.malformedFile` naming the file and the problem, never a crash.
public final class SafetensorsFile {
    /// One tensor's entry in the header, already checked against the file.
    public struct TensorInfo: Sendable, Equatable {
        public let name: String
        public let dtype: SafetensorsDType
        public let shape: [Int]
        /// Byte range within the data section (after the header).
        public let byteRange: Range<Int>

        public var elementCount: Int { shape.reduce(1, *) }
    }

    /// Headers beyond this size are refused before being read; real ones are a few hundred KB at most.
    static let maximumHeaderLength = 100 << 20

    public let url: URL
    /// Tensors by name.
    public let tensors: [String: TensorInfo]
    private let mapping: UnsafeRawPointer?
    private let mappedLength: Int
    private let dataStart: Int

    /// Maps the file at `url` read-only and checks its header.
    public init(url: URL) throws {
        self.url = url
        let path = url.path
        // O_NONBLOCK: a FIFO opens at once (and is refused below) instead of waiting for a writer.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else {
            if errno == ENOENT { throw InferenceError.missingFile(path: path) }
            throw InferenceError.unreadableFile(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            throw InferenceError.unreadableFile(path: path, reason: String(cString: strerror(errno)))
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw InferenceError.unreadableFile(path: path, reason: RegularFileError.notRegularFile.reason)
        }
        let size = Int(status.st_size)
        guard size >= 8 else {
            throw InferenceError.malformedFile(
                path: path, problem: "the file is \(size) bytes, too short for the 8-byte header length")
        }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw InferenceError.unreadableFile(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        let base = UnsafeRawPointer(mapped)
        do {
            let (tensors, dataStart) = try Self.parseHeader(base: base, size: size, path: path)
            self.tensors = tensors
            self.dataStart = dataStart
        } catch {
            munmap(mapped, size)
            throw error
        }
        self.mapping = base
        self.mappedLength = size
    }

    deinit {
        if let mapping { munmap(UnsafeMutableRawPointer(mutating: mapping), mappedLength) }
    }

    /// The tensor's values as `Float`, converting F16 and BF16; other dtypes are refused.
    public func floats(_ name: String) throws -> [Float] {
        guard let info = tensors[name] else {
            throw InferenceError.missingTensor(path: url.path, name: name)
        }
        guard let mapping else { return [] }
        let source = mapping + dataStart + info.byteRange.lowerBound
        let count = info.elementCount
        switch info.dtype {
        case .f32:
            return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                // Tensor data need not be 4-byte aligned in the file, so copy bytes rather than load floats.
                UnsafeMutableRawBufferPointer(buffer).copyMemory(
                    from: UnsafeRawBufferPointer(start: source, count: count * 4))
                initialized = count
            }
        case .f16:
            return (0..<count).map { Self.floatFromHalf(source.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) }
        case .bf16:
            return (0..<count).map {
                Float(bitPattern: UInt32(source.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) << 16)
            }
        default:
            throw InferenceError.unsupportedDType(path: url.path, name: name, dtype: info.dtype.rawValue)
        }
    }

    /// IEEE 754 binary16 to binary32, exactly (subnormals, infinities and NaN included).
    static func floatFromHalf(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x03FF)
        if exponent == 0x1F {
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        if exponent == 0 {
            // Subnormal or zero: mantissa · 2^-24.
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign == 0 ? magnitude : -magnitude
        }
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }
}

extension SafetensorsFile {
    private struct RawEntry: Decodable {
        let dtype: String
        let shape: [Int]
        let data_offsets: [Int]
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private struct RawHeader: Decodable {
        var entries: [(String, RawEntry)] = []
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyKey.self)
            for key in container.allKeys where key.stringValue != "__metadata__" {
                entries.append((key.stringValue, try container.decode(RawEntry.self, forKey: key)))
            }
        }
    }

    /// Checks the header against the file size and returns the tensors and where their data starts.
    private static func parseHeader(base: UnsafeRawPointer, size: Int, path: String) throws -> ([String: TensorInfo], Int) {
        func malformed(_ problem: String) -> InferenceError { .malformedFile(path: path, problem: problem) }
        let declared = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
        guard declared <= UInt64(maximumHeaderLength) else {
            throw malformed("the header length \(declared) is implausibly large (file size \(size))")
        }
        let headerLength = Int(declared)
        guard headerLength >= 2 else { throw malformed("the header length \(headerLength) is too small for a JSON object") }
        guard headerLength <= size - 8 else {
            throw malformed("the header length \(headerLength) runs past the end of the file (\(size) bytes); the file is probably truncated")
        }
        let headerBytes = Data(bytes: base + 8, count: headerLength)
        let raw: RawHeader
        do {
            raw = try JSONDecoder().decode(RawHeader.self, from: headerBytes)
        } catch {
            throw malformed("the header is not the expected JSON (\(describe(error)))")
        }
        let dataStart = 8 + headerLength
        let dataSize = size - dataStart
        var tensors: [String: TensorInfo] = [:]
        for (name, entry) in raw.entries {
            guard let dtype = SafetensorsDType(rawValue: entry.dtype) else {
                throw malformed("tensor \(name) has the unknown dtype \"\(entry.dtype)\"")
            }
            guard entry.data_offsets.count == 2 else {
                throw malformed("tensor \(name) has \(entry.data_offsets.count) data offsets instead of 2")
            }
            let begin = entry.data_offsets[0], end = entry.data_offsets[1]
            guard begin >= 0, begin <= end else {
                throw malformed("tensor \(name) has the invalid byte range [\(begin), \(end))")
            }
            guard end <= dataSize else {
                throw malformed("tensor \(name) ends at byte \(end) of the data section, which has only \(dataSize) bytes; the file is probably truncated")
            }
            var elements = 1
            for dimension in entry.shape {
                guard dimension >= 0 else { throw malformed("tensor \(name) has a negative dimension in shape \(entry.shape)") }
                let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
                guard !overflow else { throw malformed("tensor \(name) has a shape \(entry.shape) too large to address") }
                elements = product
            }
            let (bytes, overflow) = elements.multipliedReportingOverflow(by: dtype.byteWidth)
            guard !overflow, bytes == end - begin else {
                throw malformed("tensor \(name) of shape \(entry.shape) and dtype \(dtype.rawValue) needs \(overflow ? "too many" : String(bytes)) bytes, but its byte range [\(begin), \(end)) holds \(end - begin)")
            }
            tensors[name] = TensorInfo(name: name, dtype: dtype, shape: entry.shape, byteRange: begin..<end)
        }
        let ordered = tensors.values.filter { !$0.byteRange.isEmpty }.sorted { $0.byteRange.lowerBound < $1.byteRange.lowerBound }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where next.byteRange.lowerBound < previous.byteRange.upperBound {
            throw malformed("tensors \(previous.name) and \(next.name) overlap in the data section")
        }
        return (tensors, dataStart)
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): context.debugDescription
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        case DecodingError.keyNotFound(let key, let context):
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")): no \"\(key.stringValue)\""
        default: String(describing: error)
        }
    }
}
