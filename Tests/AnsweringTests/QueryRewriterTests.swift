import Generation
import Testing
@testable import Answering

@Suite struct QueryRewriterTests {
    let history = [
        ChatMessage(role: .user, content: "When does the Berlin lease end?"),
        ChatMessage(role: .assistant, content: "On 28 February 2029 [1]."),
    ]

    @Test(arguments: ["And when does it begin?", "What about the rent?", "Who signed it?", "notice?", "How much is their rent?"])
    func aFollowUpIsSearchedWithTheQuestionItFollows(question: String) {
        #expect(QueryRewriter.standalone(question, history: history) == "When does the Berlin lease end? " + question)
    }

    @Test(arguments: ["Who reviews the backup script?", "How long should sourdough rest before baking?"])
    func aQuestionThatStandsAloneIsSearchedAsItIs(question: String) {
        #expect(QueryRewriter.standalone(question, history: history) == question)
    }

    @Test func withoutHistoryNothingChanges() {
        #expect(QueryRewriter.standalone("And it?", history: []) == "And it?")
    }

    @Test func aChainOfFollowUpsReachesBackToTheQuestionThatStartedIt() {
        let longer = history + [ChatMessage(role: .user, content: "And when does it begin?"), ChatMessage(role: .assistant, content: "March.")]
        #expect(QueryRewriter.standalone("What about its notice period?", history: longer)
            == "When does the Berlin lease end? And when does it begin? What about its notice period?")
    }
}
