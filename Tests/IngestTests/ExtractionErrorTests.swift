import Testing
@testable import Ingest

struct ExtractionErrorTests {
    @Test func messagesSayWhatHappened() {
        #expect(ExtractionError.tooLarge(size: 31_457_280, limit: 20 << 20).message.contains("30 MB, larger than the 20 MB limit"))
        #expect(ExtractionError.tooLarge(size: 1_572_864, limit: 1 << 20).message.contains("1.5 MB"))
        #expect(ExtractionError.binary(reason: "contains NUL bytes").message.contains("contains NUL bytes"))
        #expect(ExtractionError.unsupportedType("PDF").message.hasPrefix("PDF files are not supported"))
        #expect(ExtractionError.unreadable(reason: "permission denied").message == "cannot read the file: permission denied")
        #expect(ExtractionError.vanished.message.contains("deleted"))
    }
}
