import Testing
@testable import Ingest

/// Reference counts are how bert-base-uncased's WordPiece (the vocabulary of all-MiniLM-L6-v2) splits
/// each text, worked out by hand from its rules (whitespace, then every punctuation character and CJK
/// ideograph apart, accents stripped, greedy longest vocabulary pieces), not produced by running it.
struct WordPieceEstimateTests {
    let estimate = WordPieceEstimate()

    @Test(arguments: [
        // text, WordPiece tokens (reasoned), split shown for the reader
        ("The quick brown fox jumps over the lazy dog.", 10),  // the quick brown fox jumps over the lazy dog .
        ("tokenization", 2),  // token ##ization
        ("XMLHttpRequest", 5),  // xml ##ht ##tp ##re ##quest
        ("snake_case_name", 5),  // snake _ case _ name
        ("d41d8cd98f00b204e9800998ecf8427e", 25),  // d ##41 ##d ##8 ##cd ##9 ##8 ##f ##00 ... one or two characters a piece
        ("2024-01-15", 5),  // 2024 - 01 - 15
        ("\u{65E5}\u{672C}\u{8A9E}\u{306E}\u{30C6}\u{30AD}\u{30B9}\u{30C8}", 8),  // 日 本 語 の ##テ ##キ ##ス ##ト
        ("\u{c9}t\u{e9} \u{e0} Z\u{fc}rich", 4),  // ete a zurich → ete, a, zu ##rich
        ("\u{41F}\u{440}\u{438}\u{432}\u{435}\u{442}", 6),  // п ##р ##и ##в ##е ##т at worst
        ("\u{1F44D}", 1),  // [UNK]
        ("func main() { return x[0] }", 10),  // func main ( ) { return x [ 0 ] }
        ("aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ=", 20),  // base64: pieces of one or two characters
    ])
    func neverBelowWordPiece(text: String, wordPieceTokens: Int) {
        let estimated = estimate.tokenCount(text[...])
        #expect(estimated >= wordPieceTokens, "\(text): \(estimated) < \(wordPieceTokens)")
    }

    @Test func englishIsOverestimatedByLessThanDouble() {
        // 45 words and 3 full stops; WordPiece gives about 52 tokens (a few words split in two).
        let text = """
            The tenant shall pay the rent on the first day of each month. Late payments incur a fee of \
            five percent after a grace period of ten days. The landlord keeps the security deposit in a \
            separate account and returns it within thirty days after the lease ends.
            """
        let estimated = estimate.tokenCount(text[...])
        #expect(estimated >= 52)
        #expect(estimated < 2 * 52)
    }

    @Test func whitespaceAndControlCharactersAreFree() {
        #expect(estimate.tokenCount("   \n\t\r\n  "[...]) == 0)
        #expect(estimate.tokenCount("a b"[...]) == estimate.tokenCount("a"[...]) + estimate.tokenCount("b"[...]))
        #expect(estimate.tokenCount("e\u{301}"[...]) == 1)  // combining accent is stripped
    }
}
