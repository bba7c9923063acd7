import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes in a named character set (HTML's `<meta charset>`, a MIME `charset=` parameter, RTF's
/// code page) to a String. UTF-8 and Latin-1 are decoded here; everything else goes through iconv,
/// which knows every charset a mail or a web page names (ISO-8859-x, windows-125x, KOI8-R,
/// Shift_JIS, GB18030, …). Undecodable bytes become U+FFFD, never a failure: one bad byte must not
/// lose a document.
enum Charset {
    static func decode(_ bytes: some Collection<UInt8>, charset: String?) -> String {
        let name = normalized(charset ?? "utf-8")
        switch name {
        case "utf-8", "utf8", "us-ascii", "ascii", "":
            return String(decoding: bytes, as: UTF8.self)
        case "iso-8859-1", "latin1", "l1":
            // Mail and the web mean windows-1252 when they say ISO-8859-1 (WHATWG encoding spec).
            return windows1252(bytes)
        case "windows-1252", "cp1252", "x-cp1252":
            return windows1252(bytes)
        default:
            return convert(Array(bytes), from: name) ?? String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Opens a converter from every legacy charset that mail, the web and RTF name, and keeps it open.
    ///
    /// glibc's iconv reads its module cache and loads each charset's converter (a shared object under
    /// `gconv/`) with open and mmap the first time that charset is asked for. Inside the extraction
    /// sandbox the seccomp filter refuses open, so a charset first met there would not convert: the
    /// extraction child calls this before it installs the filter. Converters held open stay loaded;
    /// any charset named by another alias of the same converter (latin2, l2, ISO_8859-2…) finds it
    /// loaded. About 2 ms for all of them. Returns the names iconv does not know on this system.
    @discardableResult
    static func preloadConverters() -> [String] {
        var missing: [String] = []
        for name in preloaded {
            let descriptor = iconv_open("UTF-8", name)
            if descriptor == iconv_t(bitPattern: -1) {
                missing.append(name)
            } else {
                held.withLock { $0.append(Int(bitPattern: descriptor)) }
            }
        }
        return missing
    }

    /// One name per converter module: the WHATWG Encoding Standard's legacy single- and multi-byte
    /// encodings (what a web page or a mail may declare), plus GB2312 (EUC-CN), Korean and Chinese
    /// ISO-2022, UTF-7, DOS and Windows code pages RTF names (`\ansicpg`), and Thai and Vietnamese ones.
    static let preloaded = [
        "IBM866", "ISO-8859-2", "ISO-8859-3", "ISO-8859-4", "ISO-8859-5", "ISO-8859-6", "ISO-8859-7", "ISO-8859-8",
        "ISO-8859-9", "ISO-8859-10", "ISO-8859-11", "ISO-8859-13", "ISO-8859-14", "ISO-8859-15", "ISO-8859-16",
        "KOI8-R", "KOI8-U", "MACINTOSH", "MAC-CYRILLIC", "CP874", "CP1250", "CP1251", "CP1252", "CP1253", "CP1254",
        "CP1255", "CP1256", "CP1257", "CP1258", "GBK", "GB18030", "EUC-CN", "CP936", "BIG5", "BIG5-HKSCS", "CP950",
        "EUC-TW", "EUC-JP", "ISO-2022-JP", "ISO-2022-JP-2", "SHIFT_JIS", "CP932", "EUC-KR", "CP949", "ISO-2022-KR",
        "ISO-2022-CN", "UTF-7", "UTF-16", "UTF-32", "CP437", "CP850", "CP852", "CP855", "CP857", "CP862", "CP865",
        "CP866", "TIS-620", "VISCII", "ARMSCII-8", "GEORGIAN-PS",
    ]

    /// The converters `preloadConverters` opened (their addresses); never closed, since closing the
    /// last one of a module may unload it.
    private static let held = Mutex<[Int]>([])

    /// True if `name` is a charset iconv knows (or one decoded here).
    static func isKnown(_ charset: String) -> Bool {
        let name = normalized(charset)
        if ["utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin1", "windows-1252", "cp1252"].contains(name) { return true }
        let descriptor = iconv_open("UTF-8", name)
        if descriptor == iconv_t(bitPattern: -1) { return false }
        iconv_close(descriptor)
        return true
    }

    static func normalized(_ charset: String) -> String {
        var name = charset.trimmingCharacters(in: CharacterSet(charactersIn: " \t\"'")).lowercased()
        if name == "utf8" { name = "utf-8" }
        if name.hasPrefix("cp125") { name = "windows-125" + name.dropFirst(5) }
        return name
    }

    /// windows-1252: Latin-1 with printable characters in 0x80–0x9F (curly quotes, dashes, €).
    static func windows1252(_ bytes: some Collection<UInt8>) -> String {
        var out = String.UnicodeScalarView()
        for byte in bytes {
            if byte >= 0x80, byte <= 0x9F, let scalar = Unicode.Scalar(windows1252High[Int(byte - 0x80)]) {
                out.append(scalar)
            } else {
                out.append(Unicode.Scalar(byte))
            }
        }
        return String(out)
    }

    /// Code points of windows-1252's 0x80–0x9F (undefined bytes map to themselves, as browsers do).
    static let windows1252High: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ]

    private static func convert(_ input: [UInt8], from charset: String) -> String? {
        let descriptor = iconv_open("UTF-8", charset)
        if descriptor == iconv_t(bitPattern: -1) { return nil }
        defer { iconv_close(descriptor) }
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 2)
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var offset = 0
        while offset < input.count {
            var failed = false
            let consumed: Int = input.withUnsafeBufferPointer { source in
                buffer.withUnsafeMutableBufferPointer { target in
                    guard let sourceBase = source.baseAddress, let targetBase = target.baseAddress else { return 0 }
                    var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(mutating: sourceBase + offset)
                        .assumingMemoryBound(to: CChar.self)
                    var inLeft = input.count - offset
                    var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(targetBase).assumingMemoryBound(to: CChar.self)
                    var outLeft = target.count
                    let result = iconv(descriptor, &inPointer, &inLeft, &outPointer, &outLeft)
                    output.append(contentsOf: target[0..<(target.count - outLeft)])
                    if result == -1 && errno != E2BIG { failed = true }
                    return (input.count - offset) - inLeft
                }
            }
            offset += consumed
            if failed {
                // An invalid or truncated sequence: replace one byte and go on.
                output.append(contentsOf: [0xEF, 0xBF, 0xBD])
                offset += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
