/// The sandbox could not be set up; the child refuses to parse anything without it.
public struct SandboxError: Error, Sendable, Equatable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }
}
