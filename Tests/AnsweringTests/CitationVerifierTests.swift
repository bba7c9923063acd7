import Testing
@testable import Answering

@Suite struct CitationVerifierTests {
    static let sources = numbered([
        "The landlord is Spreeufer Immobilien GmbH. The lease of the Berlin office begins on 1 March 2024 and ends on 28 February 2029.",
        "Standup notes. Ada is refactoring the invoice exporter. Grace reviews the backup script on Friday.",
        "The office cat is named Biscuit. It sleeps on the printer.",
    ])
    let verifier = CitationVerifier()

    static func numbered(_ texts: [String]) -> [AnswerSource] {
        texts.enumerated().map { index, text in
            AnswerSource(
                number: index + 1, path: "/docs/\(index + 1).md", documentId: Int64(index + 1), chunkIds: [Int64(index + 1)], text: text,
                section: nil, byteStart: 0, byteEnd: text.utf8.count, lineStart: 1, lineEnd: 1, page: nil, score: 1)
        }
    }

    func check(_ answer: String, question: String, style: AnswerStyle = .sentences, sources: [AnswerSource] = sources) -> AnswerCheck {
        verifier.check(answer, question: question, sources: sources, style: style)
    }

    @Test func keepsARightCitationAndQuotesTheSupportingSentence() throws {
        let check = check("The Berlin lease ends on 28 February 2029 [1].", question: "When does the Berlin lease end?")
        #expect(check.sentences.map(\.verified) == [[1]])
        #expect(check.isGrounded)
        let citation = try #require(check.citations.first)
        #expect(citation.number == 1)
        #expect(citation.quotedText == "The lease of the Berlin office begins on 1 March 2024 and ends on 28 February 2029.")
    }

    @Test func correctsACitationThatPointsAtTheWrongSource() {
        let check = check("The lease ends on 28 February 2029 [2].", question: "When does the Berlin lease end?")
        #expect(check.sentences.first?.cited == [2])
        #expect(check.sentences.first?.verified == [1])
        #expect(check.citations.map(\.number) == [1])
    }

    @Test func addsTheCitationAnUncitedSentenceLacks() {
        let check = check("Grace reviews the backup script on Friday.", question: "Who reviews the backup script?")
        #expect(check.sentences.first?.cited == [])
        #expect(check.sentences.first?.verified == [2])
        #expect(check.sentences.first?.isSupported == true)
    }

    @Test func marksAClaimNoSourceHoldsAndDeclinesTheAnswer() {
        let check = check("The deposit for the Krakowska flat was 3,000 zloty [1].", question: "How much was the deposit for the Krakowska flat?")
        #expect(check.sentences.first?.isClaim == true)
        #expect(check.sentences.first?.isSupported == false)
        #expect(check.sentences.first?.verified == [])
        #expect(check.citations.isEmpty)
        #expect(!check.isGrounded)
        #expect(check.unsupported.count == 1)
    }

    @Test func aNumberMustBeInTheSourceAsWritten() {
        // Every word is in source 1 but the year is not.
        let check = check("The Berlin lease ends on 28 February 2031 [1].", question: "When does the lease end?")
        #expect(check.sentences.first?.isSupported == false)
    }

    @Test func anUnsupportedAsideDoesNotDeclineASupportedAnswer() {
        let check = check(
            "The office cat is named Biscuit [3]. Biscuit was adopted from a shelter in Warsaw.", question: "What is the office cat called?")
        #expect(check.sentences.map(\.isSupported) == [true, false])
        #expect(check.isGrounded)
        #expect(check.unsupported.count == 1)
    }

    @Test func aRefusalClaimsNothing() {
        let check = check("The sources do not contain the deposit amount.", question: "How much was the deposit?")
        #expect(check.sentences.first?.isClaim == false)
        #expect(check.isGrounded)
        #expect(check.isRefusal)
        #expect(check.citations.isEmpty)
    }

    @Test func aRefusalBesideASupportedClaimIsAnAnswer() {
        let check = check(
            "The sources do not say when the cat was adopted. The office cat is named Biscuit [3].", question: "When was the office cat adopted?")
        #expect(check.sentences.map(\.isSupported) == [true, true])
        #expect(!check.isRefusal)
    }

    static let tesla = numbered([
        "Tesla was born in Smiljan. He studied engineering in Graz. In 1880 he moved to Prague to study at the university. "
            + "He worked for a telephone company in Budapest. Later he emigrated to America. He sold his patents to Westinghouse in Pittsburgh.",
        "The Amazon is the largest river by discharge volume. Its tributaries include the Purus and the Madeira. The river crosses Brazil and Peru.",
    ])

    @Test func aClaimsWordsMustStandTogetherInTheSource() {
        // Every word of the first is somewhere in source 1, but Pittsburgh five sentences from 1880.
        let scattered = check("Tesla moved to Pittsburgh in 1880 [1].", question: "Where did Tesla move in 1880?", sources: Self.tesla)
        #expect(scattered.sentences.first?.isSupported == false)
        let together = check("Tesla moved to Prague in 1880 [1].", question: "Where did Tesla move in 1880?", sources: Self.tesla)
        #expect(together.sentences.first?.verified == [1])
    }

    @Test func aNameTheQuestionAsksAboutMustBeInTheSource() {
        // Purus and river are in source 2, which never mentions Budapest.
        let check = check(
            "The river that flows through Budapest is the Purus [2].", question: "Which river flows through Budapest?", sources: Self.tesla)
        #expect(check.sentences.first?.isSupported == false)
        #expect(!check.isGrounded)
    }

    @Test func aNameTheSectionHoldsCountsAsInTheSource() {
        let term = AnswerSource(
            number: 1, path: "/docs/lease.md", documentId: 1, chunkIds: [1], text: "## § 3 Term\n\nThe lease ends on 31 March 2027.",
            section: "Office lease, Berlin > § 3 Term", byteStart: 0, byteEnd: 40, lineStart: 1, lineEnd: 3, page: nil, score: 1)
        let check = check("The lease on the Berlin office ends on 31 March 2027.", question: "When does the lease on the Berlin office end?", sources: [term])
        #expect(check.sentences.first?.verified == [1])
    }

    @Test func aNumberWrittenInWordsMatchesItsDigits() {
        let sources = Self.numbered(["The office has five printers and a fax machine."])
        #expect(check("The office has 5 printers [1].", question: "How many printers are there?", sources: sources).isGrounded)
        #expect(!check("The office has 6 printers [1].", question: "How many printers are there?", sources: sources).isGrounded)
    }

    @Test func aShortAnswerMustBeFoundInASource() {
        #expect(check("28 February 2029", question: "When does the lease end?", style: .short).isGrounded)
        #expect(check("Biscuit", question: "What is the cat called?", style: .short).citations.map(\.number) == [3])
        #expect(!check("Tiger", question: "What is the cat called?", style: .short).isGrounded)
        // Most words present is not enough for a phrase that should be copied.
        #expect(!check("Grace reviews the backup tape", question: "Who?", style: .short).isGrounded)
    }

    // The short answers below are the 0.5B's, on SQuAD (docs/EVALUATION.md, the short style's 200 questions).

    /// Whether a short answer to `question` is grounded in a source holding `text`.
    func holds(_ text: String, _ answer: String, asked question: String) -> Bool {
        check(answer, question: question, style: .short, sources: Self.numbered([text])).isGrounded
    }

    /// A source, a question, a short answer the source holds and one it does not.
    struct ShortCase: Sendable, CustomTestStringConvertible {
        var rule, text, question, held, notHeld: String
        var testDescription: String { rule }
    }

    static let shortCases = [
        ShortCase(
            rule: "another form of the source's word matches ('form', 'forming')",
            text: "In 1857 John Sheepshanks donated 233 paintings, mainly by contemporary British artists, and a similar number of drawings "
                + "to the museum with the intention of forming a 'A National Gallery of British Art', a role since taken on by Tate Britain.",
            question: "What was the goal of John Sheepshanks considerable bequest to the museum?",
            held: "form a 'National Gallery of British Art'", notHeld: "form a 'National Library of British Art'"),
        ShortCase(
            // "one of the game's best" is no count of fumbles.
            rule: "a number matches the source's number word, but for 'one'",
            text: "Von Miller had five solo tackles, 2½ sacks, and two forced fumbles. He was one of the game's best players.",
            question: "How many fumbles did Von Miller force in Super Bowl 50?", held: "2", notHeld: "1"),
        ShortCase(
            rule: "question words the source does not use may be repeated; the words added must be there",
            text: "Soon after the Normans began to enter Italy, they entered the Byzantine Empire and then Armenia, fighting against the "
                + "Pechenegs, the Bulgars, and especially the Seljuk Turks.",
            question: "Who was the Normans' main enemy in Italy, the Byzantine Empire and Armenia?",
            held: "The Normans' main enemy in Italy, the Byzantine Empire and Armenia, was the Pechenegs, the Bulgars, and especially the Seljuk Turks.",
            notHeld: "The Normans' main enemy in Italy was the Cumans."),
        ShortCase(
            // The source names the NFC beside the 49–15 and the AFC three sentences away.
            rule: "a question word the source has must stand with the answer",
            text: "They defeated the Arizona Cardinals 49–15 in the NFC Championship Game. The Panthers advanced to the Super Bowl. "
                + "The franchise was founded in 1995. The Broncos had reached the AFC playoffs.",
            question: "Who did Denver beat in the AFC championship?",
            held: "the Arizona Cardinals in the NFC Championship Game", notHeld: "the Arizona Cardinals in the AFC Championship Game"),
    ]

    @Test(arguments: shortCases) func aShortAnswerIsHeldWordForWord(_ example: ShortCase) {
        #expect(holds(example.text, example.held, asked: example.question))
        #expect(!holds(example.text, example.notHeld, asked: example.question))
    }

    @Test func aNameOfTheQuestionThatBeginsAShortAnswerMustBeInItsSource() {
        let text = "On 27 January 2014, Microsoft announced that SkyDrive will soon become OneDrive and SkyDrive Pro becomes OneDrive for Business."
        #expect(!holds(text, "Forte Pro", asked: "What did Mitsubishi rename its Forte to?"))
    }

    @Test func sentenceRangesAreByteRangesOfTheAnswer() {
        let answer = "Ada refactors the invoice exporter [2]. The lease ends on 28 February 2029 [1]."
        let check = check(answer, question: "What is happening?")
        let bytes = Array(answer.utf8)
        let texts = check.sentences.map { String(decoding: bytes[$0.range], as: UTF8.self) }
        #expect(texts == ["Ada refactors the invoice exporter [2].", "The lease ends on 28 February 2029 [1]."])
        #expect(check.sentences.map(\.verified) == [[2], [1]])
        #expect(check.citations.map(\.number) == [2, 1])
    }
}
