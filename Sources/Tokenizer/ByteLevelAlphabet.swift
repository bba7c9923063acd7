/// GPT-2's reversible map between bytes and printable characters: byte-level BPE vocabularies store
/// every token as a string of these characters, one per byte, so that no token holds whitespace or
/// control characters. Printable Latin-1 bytes stand for themselves; the other 68 bytes are given
/// the code points 256, 257, … in byte order.
enum ByteLevelAlphabet {
    /// `scalars[b]` is the character that stands for byte `b`.
    static let scalars: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if representsItself(UInt8(byte)) {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                // 256 + at most 68 stays far below the surrogate range, so the scalar always exists.
                table[byte] = Unicode.Scalar(next) ?? " "
                next += 1
            }
        }
        return table
    }()

    /// The byte a character stands for, or nil for characters outside the alphabet.
    static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let value = scalar.value
        if value < 256 {
            return representsItself(UInt8(value)) ? UInt8(value) : nil
        }
        return value < 256 + 68 ? inverse[Int(value - 256)] : nil
    }

    /// The vocabulary spelling of `bytes`.
    static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var result = String.UnicodeScalarView()
        for byte in bytes {
            result.append(scalars[Int(byte)])
        }
        return String(result)
    }

    /// The bytes a vocabulary string spells; characters outside the alphabet keep their UTF-8 bytes.
    static func decode(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if let byte = byte(for: scalar) {
                bytes.append(byte)
            } else {
                bytes.append(contentsOf: String(scalar).utf8)
            }
        }
        return bytes
    }

    private static func representsItself(_ byte: UInt8) -> Bool {
        (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
    }

    /// Bytes of the shifted characters 256…323, in order.
    private static let inverse: [UInt8] = (0..<256).compactMap { byte in
        representsItself(UInt8(byte)) ? nil : UInt8(byte)
    }
}
