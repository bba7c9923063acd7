import Foundation

extension SottoClient {
    /// Asks a question and calls `onEvent` with each event of the answer stream as it arrives
    /// (`sources`, `queued`, `token`s, then `done` or `error`). An error before the stream starts
    /// (no decoder, a full queue) is thrown as `ClientError.server`.
    public func ask(_ request: AskRequest, onEvent: (AskEvent) throws -> Void) throws {
        var request = request
        request.stream = true
        try stream("POST", "/ask", body: request) { line in
            let event: AskEvent
            do {
                event = try WireJSON.makeDecoder().decode(AskEvent.self, from: line)
            } catch {
                throw ClientError.protocolError("could not read an answer event: \(error)")
            }
            try onEvent(event)
        }
    }

    /// Asks a question and returns the whole answer at once (`"stream": false`).
    public func askWhole(_ request: AskRequest) throws -> AskResult {
        var request = request
        request.stream = false
        return try call("POST", "/ask", body: request)
    }
}
