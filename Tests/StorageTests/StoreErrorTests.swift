import Testing
@testable import Storage

@Suite struct StoreErrorTests {
    @Test(arguments: [
        StoreError.rootExists("/home/u/notes"), .emptyQuery, .cannotOpen(path: "/x/index.sqlite", reason: "denied"),
        .corrupt("file is not a database"), .sqlite("disk I/O error"),
    ])
    func messagesCarryTheirDetail(error: StoreError) {
        let detail: String
        switch error {
        case .rootExists(let path): detail = path
        case .emptyQuery: detail = "word"
        case .cannotOpen(let path, let reason): detail = "\(path): \(reason)"
        case .corrupt(let message), .sqlite(let message): detail = message
        }
        #expect(error.message.contains(detail))
    }

    @Test func ourErrorsAndCancellationPassThroughWrapping() {
        #expect(StoreError.wrapping(StoreError.emptyQuery) as? StoreError == .emptyQuery)
        #expect(StoreError.wrapping(CancellationError()) is CancellationError)
    }
}
