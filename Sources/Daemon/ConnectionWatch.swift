import Answering
import Foundation
public import Hummingbird
import NIOCore

/// Notices, for one client connection, that the client has stopped sending: it closed the
/// connection (or its sending side), so it will not read an answer. One is in every connection's
/// pipeline; an answer subscribes while it runs (`AnswerWatch`), so a client that leaves ends its
/// generation at once (while queued, during prefill, or before a non-streamed answer is written),
/// instead of at the next failed write.
///
/// Like Go's net/http, a half-closed connection counts as gone: a client of this API sends its
/// request and then reads, keeping its side open.
final class ConnectionWatch: ChannelInboundHandler, RemovableChannelHandler, AnswerWatch, @unchecked Sendable {
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny

    private let lock = NSLock()
    private var isGone = false
    private var observers: [Int: @Sendable () -> Void] = [:]
    private var nextToken = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { clientLeft() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        clientLeft()
        context.fireChannelInactive()
    }

    /// Calls `action` once when the client leaves (at once if it already has). Returns the token
    /// that `cancel` takes, or nil if the action has already run.
    func whenClientLeaves(_ action: @escaping @Sendable () -> Void) -> Int? {
        let token: Int? = lock.withLock {
            guard !isGone else { return nil }
            nextToken += 1
            observers[nextToken] = action
            return nextToken
        }
        if token == nil { action() }
        return token
    }

    func cancel(_ token: Int?) {
        guard let token else { return }
        lock.withLock { _ = observers.removeValue(forKey: token) }
    }

    private func clientLeft() {
        let actions: [@Sendable () -> Void] = lock.withLock {
            isGone = true
            defer { observers.removeAll() }
            return Array(observers.values)
        }
        for action in actions { action() }
    }
}

/// The request context of every Sotto request: Hummingbird's core, plus the connection, so that a
/// handler can find the connection's `ConnectionWatch`.
public struct SottoRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The connection's watch (nil only if the server was set up without one).
    func connectionWatch() async -> ConnectionWatch? {
        try? await channel.pipeline.handler(type: ConnectionWatch.self).get()
    }
}
