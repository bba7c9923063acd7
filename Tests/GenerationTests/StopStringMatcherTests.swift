import Testing
@testable import Generation

struct StopStringMatcherTests {
    @Test func stopStringSplitOverPiecesIsNeverEmitted() {
        var m = StopStringMatcher(stopStrings: ["\nUser:"])
        var out = ""
        var stopped = false
        for piece in ["Hello", " there", "\n", "Us", "er", ": more"] {
            let r = m.append(piece)
            out += r.emit
            if r.stopped {
                stopped = true
                break
            }
        }
        #expect(stopped)
        #expect(out == "Hello there")
    }

    @Test func heldBackTextIsReleasedWhenItCannotMatch() {
        var m = StopStringMatcher(stopStrings: ["END"])
        #expect(m.append("abcE").emit == "abc")
        #expect(m.append("N").emit == "")
        #expect(m.append("x").emit == "ENx")
        #expect(m.append("E").emit == "")
        #expect(m.flush() == "E")
    }

    @Test func withoutStopStringsEverythingPassesThrough() {
        var m = StopStringMatcher(stopStrings: ["", ""])
        #expect(m.append("a<|im_end|>").emit == "a<|im_end|>")
    }
}
