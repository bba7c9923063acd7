import Testing
@testable import Generation

struct QuoteConstraintTests {
    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    func take(_ matcher: inout QuoteMatcher, _ text: String) -> Bool { matcher.accept(Array(text.utf8)) }

    @Test func phrasesOfATextAreAllowedIgnoringCaseAndSpacing() {
        var matcher = QuoteMatcher(QuoteConstraint(texts: ["Super Bowl 50: the Denver  Broncos\nwon 24–10."]))
        #expect(matcher.allows(bytes("DENVER")))
        #expect(take(&matcher, "DENVER"))
        #expect(matcher.allows(bytes(" broncos")))
        #expect(take(&matcher, " broncos"))
        // The newline and the double space count as one space.
        #expect(matcher.allows(bytes("  won 24–")))
        #expect(!matcher.allows(bytes(" lost")))
        #expect(!matcher.allows(bytes(" won 24-")))  // a hyphen is not the dash the text has
        #expect(String(decoding: matcher.output, as: UTF8.self) == "denver broncos")
    }

    @Test func aPhraseNeverSpansTwoTexts() {
        var matcher = QuoteMatcher(QuoteConstraint(texts: ["alpha beta", "gamma delta"]))
        #expect(take(&matcher, "beta"))
        #expect(!matcher.allows(bytes(" gamma")))
        #expect(!matcher.allows(bytes("gamma")))
    }

    @Test func theCandidatesNarrowAsThePhraseGrows() {
        var matcher = QuoteMatcher(QuoteConstraint(texts: ["a red car and a red bus"]))
        #expect(take(&matcher, "red"))
        #expect(matcher.allows(bytes(" car")))
        #expect(matcher.allows(bytes(" bus")))
        #expect(take(&matcher, " bus"))
        #expect(!matcher.allows(bytes(" and")))  // "red car and" is in the text, "red bus and" is not
    }

    @Test func theGenerationMayEndOnlyAfterSomeText() {
        var matcher = QuoteMatcher(QuoteConstraint(texts: ["one two"]))
        #expect(!matcher.mayEnd)
        #expect(!matcher.allows(bytes(" ")))  // leading whitespace adds nothing
        #expect(!take(&matcher, "three"))
        #expect(!matcher.mayEnd)
        #expect(take(&matcher, " two"))
        #expect(matcher.mayEnd)
        #expect(matcher.allows(bytes("\n")))  // trailing whitespace is harmless
    }

    @Test func theGeneratorWritesOnlyAQuotedPhrase() async throws {
        let model = try TinyModel.model()
        let generator = try Generator(model: model, contextLength: 128, threads: 1)
        let source = "Sotto keeps the index of your folders on this machine and nowhere else."
        let free = try await GeneratorTests().collect(
            generator.generate(prompt: .text("the"), options: GenerationOptions(maxTokens: 24)))
        let normalizedSource = String(decoding: QuoteMatcher.normalized(bytes(source), after: nil), as: UTF8.self)
        // The random tiny model does not write the source's words by itself.
        #expect(!normalizedSource.contains(String(decoding: QuoteMatcher.normalized(bytes(free.0), after: nil), as: UTF8.self)))

        let (text, summary) = try await GeneratorTests().collect(
            generator.generate(
                prompt: .text("the"), options: GenerationOptions(maxTokens: 24, quote: QuoteConstraint(texts: [source]))))
        // Whitespace after the phrase is allowed (it adds nothing).
        let quoted = String(decoding: QuoteMatcher.normalized(bytes(text), after: nil), as: UTF8.self)
            .trimmingCharacters(in: .whitespaces)
        #expect(!quoted.isEmpty)
        #expect(normalizedSource.contains(quoted))
        #expect(summary?.generatedTokens ?? 0 > 0)
    }
}
