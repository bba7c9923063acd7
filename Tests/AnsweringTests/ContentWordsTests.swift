import Testing
@testable import Answering

@Suite struct ContentWordsTests {
    @Test func keepsLowerCasedWordsAndNumbersWithoutFunctionWords() {
        #expect(ContentWords.of("When does the Berlin lease END, in 2029?") == ["berlin", "lease", "end", "2029"])
        #expect(ContentWords.of("Où est la Straße?") == ["où", "est", "la", "straße"])
        #expect(ContentWords.of("what is it?").isEmpty)
    }
}
