import Foundation
import Testing
@testable import Answering

@Suite struct AnswerQueueTests {
    @Test func theFirstIsAnsweredAtOnceAndTheRestWaitInOrder() async throws {
        let queue = AnswerQueue(capacity: 2)
        let a = try queue.enqueue(), b = try queue.enqueue(), c = try queue.enqueue()
        #expect(queue.position(of: a) == 0)
        #expect(queue.position(of: b) == 1)
        #expect(queue.position(of: c) == 2)
        try await queue.waitForTurn(a)
        queue.finish(a, decoderSeconds: 2)
        #expect(queue.position(of: b) == 0)
        #expect(queue.position(of: c) == 1)
        try await queue.waitForTurn(b)
        #expect(queue.snapshot.busy && queue.snapshot.waiting == 1)
    }

    @Test func aFullQueueRefusesWithARetryEstimate() throws {
        let queue = AnswerQueue(capacity: 1)
        _ = try queue.enqueue()
        _ = try queue.enqueue()
        #expect(throws: AnsweringError.queueFull(retryAfterSeconds: 20)) { try queue.enqueue() }
    }

    @Test func aWaiterIsWokenWhenItsTurnComes() async throws {
        let queue = AnswerQueue(capacity: 4)
        let a = try queue.enqueue(), b = try queue.enqueue()
        async let woken: Void = queue.waitForTurn(b)
        try await Task.sleep(for: .milliseconds(20))
        queue.finish(a)
        try await woken
        #expect(queue.position(of: b) == 0)
    }

    @Test func aWaiterHearsItsPlaceEachTimeTheLineMoves() async throws {
        let queue = AnswerQueue(capacity: 4)
        let a = try queue.enqueue(), b = try queue.enqueue(), c = try queue.enqueue()
        let heard = Heard()
        // No periodic report within the test: what c hears comes from the moves alone.
        async let turn: Void = queue.waitForTurn(c, reportingEvery: .seconds(600)) { heard.append($0) }
        for _ in 0..<500 where heard.positions.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        queue.finish(a)
        for _ in 0..<500 where heard.positions.count < 2 { try await Task.sleep(for: .milliseconds(10)) }
        queue.finish(b)
        try await turn
        #expect(heard.positions == [2, 1])
        #expect(queue.position(of: c) == 0)
    }

    @Test func aWaiterPastItsDeadlineLeavesTheLine() async throws {
        let queue = AnswerQueue(capacity: 4)
        let a = try queue.enqueue(), b = try queue.enqueue()
        await #expect {
            try await queue.waitForTurn(b, until: .now + .milliseconds(100))
        } throws: { error in
            if case .timedOutInQueue = error as? AnsweringError { return true }
            return false
        }
        #expect(queue.position(of: b) == nil)
        queue.finish(a)
        #expect(queue.snapshot.busy == false)
    }

    @Test func cancellingAWaiterGivesUpItsPlace() async throws {
        let queue = AnswerQueue(capacity: 4)
        let a = try queue.enqueue(), b = try queue.enqueue(), c = try queue.enqueue()
        let waiter = Task { try await queue.waitForTurn(b) }
        try await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(queue.position(of: b) == nil)
        #expect(queue.position(of: c) == 1)
        queue.finish(b)  // harmless
        queue.finish(a)
        #expect(queue.position(of: c) == 0)
    }
}

/// The places a waiter was told, in order.
final class Heard: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int] = []
    func append(_ position: Int) { lock.withLock { values.append(position) } }
    var positions: [Int] { lock.withLock { values } }
}
