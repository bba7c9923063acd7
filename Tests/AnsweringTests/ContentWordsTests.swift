import Testing
@testable import Answering

@Suite struct ContentWordsTests {
    @Test func keepsLowerCasedWordsAndNumbersWithoutFunctionWords() {
        #expect(ContentWords.of("When does the Berlin lease END, in 2029?") == ["berlin", "lease", "end", "2029"])
        #expect(ContentWords.of("Où est la Straße?") == ["où", "est", "la", "straße"])
        #expect(ContentWords.of("what is it?").isEmpty)
    }

    @Test func namesAreTheWordsWrittenWithACapitalAfterTheFirst() {
        #expect(ContentWords.names(in: "The river that flows through Budapest is the Danube [1].") == ["budapest", "danube"])
        #expect(ContentWords.names(in: "Tesla moved to Prague in 1880, The end.") == ["prague"])
        #expect(ContentWords.names(in: "all lower case here").isEmpty)
    }
}
