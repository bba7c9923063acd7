/// RFC 2047 encoded words in headers: `=?iso-8859-2?Q?Pawe=B3?=` and `=?utf-8?B?…?=`, any charset
/// iconv knows; whitespace between two adjacent encoded words is dropped, as the RFC says.
enum EncodedWords {
    static func decode(_ header: String) -> String {
        guard header.contains("=?") else { return header }
        var out = ""
        var rest = header[...]
        var previousWasEncoded = false
        while let start = rest.range(of: "=?") {
            let before = rest[..<start.lowerBound]
            guard let word = encodedWord(in: rest[start.lowerBound...]) else {
                out += before + "=?"
                rest = rest[start.upperBound...]
                previousWasEncoded = false
                continue
            }
            if !(previousWasEncoded && before.allSatisfy(\.isWhitespace)) { out += before }
            out += word.text
            rest = rest[word.end...]
            previousWasEncoded = true
        }
        out += rest
        return out
    }

    /// The encoded word at the start of `text` and where it ends.
    private static func encodedWord(in text: Substring) -> (text: String, end: Substring.Index)? {
        let body = text.dropFirst(2)
        guard let firstQuestion = body.firstIndex(of: "?") else { return nil }
        let charset = body[..<firstQuestion]
        let afterCharset = body[body.index(after: firstQuestion)...]
        guard let encoding = afterCharset.first, afterCharset.dropFirst().first == "?" else { return nil }
        let payloadStart = afterCharset.index(afterCharset.startIndex, offsetBy: 2)
        guard let payloadEnd = afterCharset[payloadStart...].range(of: "?=") else { return nil }
        let payload = Array(afterCharset[payloadStart..<payloadEnd.lowerBound].utf8)[...]
        let bytes: [UInt8]
        switch encoding {
        case "B", "b": bytes = MIMEPart.base64(payload)
        case "Q", "q": bytes = MIMEPart.quotedPrintable(payload, underscoreIsSpace: true)
        default: return nil
        }
        // RFC 2231 allows a language after the charset: utf-8*en.
        let name = charset.split(separator: "*").first.map(String.init) ?? String(charset)
        return (Charset.decode(bytes, charset: name), payloadEnd.upperBound)
    }
}
