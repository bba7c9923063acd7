import Foundation

/// Set once when the consumer of a stream goes away; read by the compute thread between tokens.
final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func cancel() { lock.withLock { value = true } }
    var isCancelled: Bool { lock.withLock { value } }
}
