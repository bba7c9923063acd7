/// File names on Linux are bytes, not text. These helpers turn them into Swift strings when they are
/// UTF-8 and into a readable, escaped form when they are not.
enum PathBytes {
    /// The name as a string, or nil when the bytes are not valid UTF-8.
    static func string(_ bytes: [UInt8]) -> String? {
        String(validating: bytes, as: UTF8.self)
    }

    /// The bytes as text with every byte that is not part of a valid UTF-8 sequence written `\xHH`,
    /// so the user can find the file (e.g. with `ls -b`) and rename it.
    static func escaped(_ bytes: [UInt8]) -> String {
        var result = ""
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                result.unicodeScalars.append(Unicode.UTF8.decode(encoded))
                offset += encoded.count
            case .error(let length):
                for byte in bytes[offset..<(offset + length)] {
                    result += "\\x" + hex(byte)
                }
                offset += length
            case .emptyInput:
                return result
            }
        }
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}
