public import Foundation

extension SottoClient {
    /// Runs `call` (an ask), and again while the daemon answers 503 `decoder_loading`, for up to
    /// `seconds` in all: right after `sottod` starts, the decoder loads in the background and a
    /// person expects the question to wait for it rather than fail. `onWaiting` is told once, with
    /// the daemon's message, when the waiting starts. Any other error, or the loading error once the
    /// time is up, is thrown as it came. Nothing was streamed before a 503, so a retry repeats nothing.
    public func waitingForDecoder<T>(
        upTo seconds: TimeInterval, pollInterval: TimeInterval = 1, onWaiting: (String) -> Void, _ call: () throws -> T
    ) throws -> T {
        let deadline = Date().addingTimeInterval(seconds)
        var told = false
        while true {
            do {
                return try call()
            } catch let error as ClientError {
                let left = deadline.timeIntervalSinceNow
                guard case .server(503, ErrorCode.decoderLoading.rawValue, let message) = error, left > 0 else { throw error }
                if !told {
                    onWaiting(message)
                    told = true
                }
                Thread.sleep(forTimeInterval: min(pollInterval, left))
            }
        }
    }
}
