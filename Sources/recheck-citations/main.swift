// Re-runs the citation check over a Scripts/eval --citations-log or --answers-log (JSON lines on standard
// input: question, draft, sources, optionally style) and writes what it finds, one JSON line per answer, for Scripts/eval --recheck.
import Answering
import Foundation

struct Row: Decodable {
    struct Source: Decodable {
        var number: Int
        var text: String
        /// The file (or a supplied passage's title) and section: the check reads names in them too.
        var path: String?
        var section: String?
    }
    var question: String
    var draft: String?
    var sources: [Source]?
    /// "short" for a short-style answer (Scripts/eval --answers-log); else the default style.
    var style: String?
}

struct Result: Encodable {
    struct Sentence: Encodable {
        var text: String
        var cited, verified: [Int]
        var supported, claim: Bool
    }
    var citations: [Int]
    var grounded: Bool
    var refusal: Bool
    var sentences: [Sentence]
    var checkMs: Double
}

// Optional arguments: minimumSupport keepWithin questionWordWeight span (CitationVerifier's), to try others.
var verifier = CitationVerifier()
let arguments = CommandLine.arguments.dropFirst().map { Double($0) }
if arguments.count == 4, let support = arguments[0], let keep = arguments[1], let weight = arguments[2], let span = arguments[3] {
    verifier = CitationVerifier(minimumSupport: support, keepWithin: keep, questionWordWeight: weight, span: Int(span))
}
let decoder = JSONDecoder()
let encoder = JSONEncoder()
while let line = readLine(strippingNewline: true) {
    guard let row = try? decoder.decode(Row.self, from: Data(line.utf8)) else {
        FileHandle.standardError.write(Data("unreadable line\n".utf8))
        continue
    }
    let sources = (row.sources ?? []).map {
        AnswerSource(number: $0.number, path: $0.path ?? "s\($0.number).md", documentId: Int64($0.number), chunkIds: [], text: $0.text,
                     section: $0.section, byteStart: 0, byteEnd: $0.text.utf8.count, lineStart: 1, lineEnd: 1, page: nil, score: 0)
    }
    let draft = row.draft ?? ""
    let check = verifier.check(draft, question: row.question, sources: sources, style: row.style == "short" ? .short : .sentences)
    let bytes = Array(draft.utf8)
    let result = Result(
        citations: check.citations.map(\.number), grounded: check.isGrounded, refusal: check.isRefusal,
        sentences: check.sentences.map {
            .init(text: String(decoding: bytes[$0.range], as: UTF8.self), cited: $0.cited, verified: $0.verified,
                  supported: $0.isSupported, claim: $0.isClaim)
        },
        checkMs: check.seconds * 1000)
    if let data = try? encoder.encode(result) { print(String(decoding: data, as: UTF8.self)) }
}
