import Testing
@testable import Tokenizer

/// Expected splits come from the Hugging Face `tokenizers` regexes of each family (Split, isolated),
/// which agree with llama.cpp's hand-written scanners on these strings.
struct ByteLevelBPEPreTokenizerTests {
    typealias PreTokenizer = ByteLevelBPETokenizer.PreTokenizer

    static func words(_ text: String, _ preTokenizer: PreTokenizer) -> [String] {
        let codepoints = text.unicodeScalars.map(\.value)
        var ranges: [Range<Int>] = []
        preTokenizer.split(codepoints, into: &ranges)
        return ranges.map { range in
            var view = String.UnicodeScalarView()
            for value in codepoints[range] {
                view.append(Unicode.Scalar(value) ?? "?")
            }
            return String(view)
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let text: String
        let qwen2: [String]
        let llamaBPE: [String]
        let gpt2: [String]
        let smollm: [String]
        var testDescription: String { String(reflecting: text) }
    }

    static let cases: [Case] = [
        Case(text: "Hello world, it's 12345 o'clock!",
             qwen2: ["Hello", " world", ",", " it", "'s", " ", "1", "2", "3", "4", "5", " o", "'clock", "!"],
             llamaBPE: ["Hello", " world", ",", " it", "'s", " ", "123", "45", " o", "'clock", "!"],
             gpt2: ["Hello", " world", ",", " it", "'s", " 12345", " o", "'", "clock", "!"],
             smollm: ["Hello", " world", ",", " it", "'s", " ", "1", "2", "3", "4", "5", " o", "'", "clock", "!"]),
        Case(text: "I'M here\r\n\n  x  \t\ty",
             qwen2: ["I", "'M", " here", "\r\n\n", " ", " x", "  \t", "\ty"],
             llamaBPE: ["I", "'M", " here", "\r\n\n", " ", " x", "  \t", "\ty"],
             gpt2: ["I", "'", "M", " here", "\r\n\n ", " x", "  \t", "\t", "y"],
             smollm: ["I", "'", "M", " here", "\r\n\n ", " x", "  \t", "\t", "y"]),
        Case(text: "  leading and trailing  ",
             qwen2: [" ", " leading", " and", " trailing", "  "],
             llamaBPE: [" ", " leading", " and", " trailing", "  "],
             gpt2: [" ", " leading", " and", " trailing", "  "],
             smollm: [" ", " leading", " and", " trailing", "  "]),
        Case(text: "a\u{A0}\u{A0}b",
             qwen2: ["a", "\u{A0}", "\u{A0}b"], llamaBPE: ["a", "\u{A0}", "\u{A0}b"],
             gpt2: ["a", "\u{A0}", "\u{A0}", "b"], smollm: ["a", "\u{A0}", "\u{A0}", "b"]),
        Case(text: "x=1+2;\n\n",
             qwen2: ["x", "=", "1", "+", "2", ";\n\n"], llamaBPE: ["x", "=", "1", "+", "2", ";\n\n"],
             gpt2: ["x", "=", "1", "+", "2", ";", "\n\n"], smollm: ["x", "=", "1", "+", "2", ";", "\n\n"]),
        Case(text: "3.14159 $100",
             qwen2: ["3", ".", "1", "4", "1", "5", "9", " $", "1", "0", "0"],
             llamaBPE: ["3", ".", "141", "59", " $", "100"],
             gpt2: ["3", ".", "14159", " $", "100"],
             smollm: ["3", ".", "1", "4", "1", "5", "9", " $", "1", "0", "0"]),
        Case(text: "日本語のテキスト",
             qwen2: ["日本語のテキスト"], llamaBPE: ["日本語のテキスト"], gpt2: ["日本語のテキスト"], smollm: ["日本語のテキスト"]),
        Case(text: "emoji 😀😀 ok",
             qwen2: ["emoji", " 😀😀", " ok"], llamaBPE: ["emoji", " 😀😀", " ok"],
             gpt2: ["emoji", " 😀😀", " ok"], smollm: ["emoji", " 😀😀", " ok"]),
        Case(text: "CAN'T WON'T",
             qwen2: ["CAN", "'T", " WON", "'T"], llamaBPE: ["CAN", "'T", " WON", "'T"],
             gpt2: ["CAN", "'", "T", " WON", "'", "T"], smollm: ["CAN", "'", "T", " WON", "'", "T"]),
        Case(text: "tab\tsep\n",
             qwen2: ["tab", "\tsep", "\n"], llamaBPE: ["tab", "\tsep", "\n"],
             gpt2: ["tab", "\t", "sep", "\n"], smollm: ["tab", "\t", "sep", "\n"]),
        Case(text: "1234567",
             qwen2: ["1", "2", "3", "4", "5", "6", "7"], llamaBPE: ["123", "456", "7"],
             gpt2: ["1234567"], smollm: ["1", "2", "3", "4", "5", "6", "7"]),
        Case(text: " 1 22 333",
             qwen2: [" ", "1", " ", "2", "2", " ", "3", "3", "3"], llamaBPE: [" ", "1", " ", "22", " ", "333"],
             gpt2: [" 1", " 22", " 333"], smollm: [" ", "1", " ", "2", "2", " ", "3", "3", "3"]),
    ]

    @Test(arguments: cases)
    func splitsLikeTheFamilyRegex(_ testCase: Case) {
        #expect(Self.words(testCase.text, .qwen2) == testCase.qwen2)
        #expect(Self.words(testCase.text, .llamaBPE) == testCase.llamaBPE)
        #expect(Self.words(testCase.text, .gpt2) == testCase.gpt2)
        #expect(Self.words(testCase.text, .smollm) == testCase.smollm)
    }

    @Test(arguments: PreTokenizer.allCases)
    func wordsCoverTheTextExactlyOnce(_ preTokenizer: PreTokenizer) {
        let text = "¿Qué tal?  Ça va — 99 %\u{2003}ok\u{0}\u{1F}\r\n 'll Ⅻ ½ x\u{301}y"
        let words = Self.words(text, preTokenizer)
        #expect(words.joined() == text)
        #expect(!words.contains(""))
    }

    @Test(arguments: PreTokenizer.allCases)
    func emptyTextHasNoWords(_ preTokenizer: PreTokenizer) {
        #expect(Self.words("", preTokenizer).isEmpty)
    }

    @Test func namesMatchGGUF() {
        #expect(PreTokenizer(rawValue: "llama-bpe") == .llamaBPE)
        #expect(PreTokenizer(rawValue: "qwen2") == .qwen2)
        #expect(PreTokenizer(rawValue: "smollm") == .smollm)
        #expect(PreTokenizer(rawValue: "deepseek-coder") == nil)
    }
}
