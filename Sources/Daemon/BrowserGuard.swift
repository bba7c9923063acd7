import API
import Hummingbird

/// Refuses requests that come from a web browser. The socket is private to its user, but the opt-in
/// TCP relay (systemd/sotto-tcp.socket) puts it on 127.0.0.1, where any web page may send requests
/// (and, with DNS rebinding, read the answers). Browsers mark every request they send with `Origin`
/// (all cross-site and non-GET ones) or `Sec-Fetch-Mode` (all, in current browsers); the clients of
/// this API (curl, the openai libraries, `sotto`) send neither.
enum BrowserGuard {
    private static let fetchMode = HTTPFields.Element.Name("Sec-Fetch-Mode")

    static func refusal(_ request: Request) -> APIError? {
        let fromBrowser = request.headers[.origin] != nil || fetchMode.map { request.headers[$0] != nil } == true
        guard fromBrowser else { return nil }
        return APIError(403, .browserRequest, "requests from web browsers are refused: the API reads private documents (see docs/SECURITY.md)")
    }
}
