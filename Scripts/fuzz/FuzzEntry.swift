// libFuzzer's entry point over Extraction.extract, compiled into the Extract module by
// Scripts/fuzz-extractors (not part of the package). The format is SOTTO_FUZZ_FORMAT.
#if canImport(Glibc)
import Glibc
#endif

private let fuzzFormat: DocumentFormat = {
    guard let name = getenv("SOTTO_FUZZ_FORMAT"), let format = DocumentFormat(rawValue: String(cString: name)) else {
        return .html
    }
    return format
}()

/// Small limits, so a run explores parsing rather than spending its time on big inflations.
private let fuzzLimits = ExtractionLimits(
    maxUncompressedBytes: 16 << 20, maxCompressionRatio: 200, maxArchiveEntries: 500, maxNestingDepth: 64, maxPages: 50,
    maxTextBytes: 4 << 20)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExtraction(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Every outcome is data: a document or an ExtractionFailure. A trap or a sanitizer report is a finding.
    _ = try? Extraction.extract(bytes, format: fuzzFormat, fileName: "fuzz.\(fuzzFormat.rawValue)", limits: fuzzLimits)
    return 0
}
