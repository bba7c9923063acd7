import Foundation
import Hummingbird
import NIOCore
import NIOHTTPTypes
import Synchronization

/// Bounds what one client connection can hold, so that a local client cannot exhaust the daemon's
/// descriptors or memory by opening connections and sending nothing, or slowly:
/// - beyond `ConnectionBudget.limit` open connections, a new one gets **503 too_many_connections**
///   with `Retry-After` to its first request, and is closed;
/// - a request whose head and body are not complete within `requestTimeout` of its first part has
///   its connection closed (an idle connection or one stuck inside its head is closed by
///   Hummingbird's idle timeout, after this handler in the pipeline);
/// - a response that says `Connection: close` (a 413) closes the connection once it is written,
///   instead of reading the rest of a body the server has already refused.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let budget: ConnectionBudget
    private let requestTimeout: TimeAmount
    private var isCounted = false
    private var isRefused = false
    private var closeAfterResponse = false
    private var isClosing = false
    private var requestDeadline: Scheduled<Void>?

    init(budget: ConnectionBudget, requestTimeout: TimeAmount) {
        self.budget = budget
        self.requestTimeout = requestTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        isCounted = true
        isRefused = !budget.open()
        guard isRefused else { return }
        // A refused client that sends nothing is told and let go at once, not after the idle
        // timeout: each one holds a descriptor until it is closed.
        requestDeadline = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: .seconds(1)) { [weak self] in
            guard let self, !self.isClosing else { return }
            self.refuse(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !isClosing else { return }
        let part = unwrapInboundIn(data)
        if isRefused {
            if case .head = part { refuse(context: context) }
            return
        }
        switch part {
        case .head:
            requestDeadline?.cancel()
            let timeout = requestTimeout
            requestDeadline = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: timeout) { [weak self] in
                guard let self, !self.isClosing else { return }
                self.isClosing = true
                context.close(promise: nil)
            }
        case .end:
            requestDeadline?.cancel()
            requestDeadline = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            if head.headerFields[.connection]?.lowercased() == "close" { closeAfterResponse = true }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            guard closeAfterResponse else {
                context.write(data, promise: promise)
                return
            }
            isClosing = true
            requestDeadline?.cancel()
            context.writeAndFlush(data, promise: promise)
            context.close(promise: nil)
        }
    }

    private func refuse(context: ChannelHandlerContext) {
        isClosing = true
        requestDeadline?.cancel()
        requestDeadline = nil
        let body = APIResponder.errorBody(APIError(
            503, .tooManyConnections,
            "sottod has \(budget.limit) connections open, its limit ([server] max_connections); try again in a moment",
            retryAfter: 1))
        var head = HTTPResponse(status: .serviceUnavailable)
        head.headerFields[.contentType] = "application/json"
        head.headerFields[.contentLength] = String(body.count)
        head.headerFields[.connection] = "close"
        head.headerFields[.retryAfter] = "1"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.close(promise: nil)
    }

    private func release() {
        requestDeadline?.cancel()
        requestDeadline = nil
        guard isCounted else { return }
        isCounted = false
        budget.close()
    }
}

/// The number of client connections open now, shared by all of them, and the limit.
final class ConnectionBudget: Sendable {
    let limit: Int
    private let count = Mutex(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts a new connection; false if it is one too many (it is counted all the same, until it closes).
    func open() -> Bool {
        count.withLock { value in
            value += 1
            return value <= limit
        }
    }

    func close() {
        count.withLock { $0 -= 1 }
    }
}
