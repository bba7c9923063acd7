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
