/// Holds back text that might be the start of a stop string, so a stop string is never emitted
/// even when it arrives split over several tokens.
struct StopStringMatcher: Sendable {
    let stopStrings: [String]
    private var pending = ""

    init(stopStrings: [String]) { self.stopStrings = stopStrings.filter { !$0.isEmpty } }

    /// Adds text; returns what can be emitted now and whether a stop string was reached (the text
    /// before it is returned, the rest dropped).
    mutating func append(_ text: String) -> (emit: String, stopped: Bool) {
        guard !stopStrings.isEmpty else { return (text, false) }
        pending += text
        var earliest: String.Index?
        for stop in stopStrings {
            if let r = pending.range(of: stop), earliest.map({ r.lowerBound < $0 }) ?? true { earliest = r.lowerBound }
        }
        if let earliest {
            let emit = String(pending[..<earliest])
            pending = ""
            return (emit, true)
        }
        // Keep the longest tail that is a prefix of some stop string.
        var keep = 0
        for stop in stopStrings {
            for length in stride(from: min(stop.count - 1, pending.count), to: keep, by: -1)
            where pending.hasSuffix(stop.prefix(length)) {
                keep = length
                break
            }
        }
        let cut = pending.index(pending.endIndex, offsetBy: -keep)
        let emit = String(pending[..<cut])
        pending = String(pending[cut...])
        return (emit, false)
    }

    /// The held-back text, at the end of a generation that stopped for another reason.
    mutating func flush() -> String {
        defer { pending = "" }
        return pending
    }
}
