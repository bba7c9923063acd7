import Extract
import Foundation
import Storage
import Testing
@testable import Ingest

struct ChunkerTests {
    let chunker = Chunker()

    func markdown(_ text: String) -> ExtractedText {
        ExtractedText(text: text, encoding: .utf8, kind: .markdown, contentHash: "", byteCount: text.utf8.count)
    }

    /// Long English prose: `sentences` sentences of about 12 words each.
    func prose(sentences: Int, seed: Int = 1) -> String {
        let words = ["tenant", "landlord", "shall", "pay", "rent", "monthly", "deposit", "the", "a", "of",
                     "within", "thirty", "days", "property", "repairs", "notice", "written", "agreement"]
        var state = UInt64(seed)
        var text: [String] = []
        for _ in 0..<sentences {
            var sentence: [String] = []
            for _ in 0..<12 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                sentence.append(words[Int(state >> 33) % words.count])
            }
            text.append(sentence.joined(separator: " ").capitalized(with: nil).prefix(1) + sentence.joined(separator: " ").dropFirst() + ".")
        }
        return text.joined(separator: " ")
    }

    func expectExactSlices(_ chunks: [Chunk], bytes: [UInt8], decode: ([UInt8]) -> String) {
        for chunk in chunks {
            #expect(decode(Array(bytes[chunk.byteStart..<chunk.byteEnd])) == chunk.text, "chunk \(chunk.ordinal)")
        }
    }

    @Test func headingsBecomeSections() {
        let text = """
            Preface without heading.

            # Lease

            Intro paragraph.

            ## Term

            The term is twelve months.

            ## Rent

            Rent is due monthly.

            ```
            # not a heading
            ```
            """
        let chunks = chunker.chunks(of: markdown(text))
        #expect(chunks.map(\.section) == [nil, "Lease", "Lease > Term", "Lease > Rent"])
        #expect(chunks.map(\.text) == [
            "Preface without heading.",
            "# Lease\n\nIntro paragraph.",
            "## Term\n\nThe term is twelve months.",
            "## Rent\n\nRent is due monthly.\n\n```\n# not a heading\n```",
        ])
        #expect(chunks.map(\.ordinal) == [0, 1, 2, 3])
        #expect(chunks.map(\.lineStart) == [1, 3, 7, 11])
        #expect(chunks.map(\.lineEnd) == [1, 5, 9, 17])
    }

    @Test func aBareHeadingStaysWithItsFirstSubheading() {
        let chunks = chunker.chunks(of: markdown("# Guide\n## Install\nRun it.\n## Use\nCall it.\n"))
        #expect(chunks.map(\.section) == ["Guide > Install", "Guide > Use"])
        #expect(chunks.first?.text == "# Guide\n## Install\nRun it.")
    }

    @Test func setextHeadingsAndRepeatedTitlesStayApart() {
        let chunks = chunker.chunks(of: markdown("Title\n=====\n\nA.\n\nNotes\n-----\n\nB.\n\nNotes\n-----\n\nC.\n"))
        #expect(chunks.map(\.section) == ["Title", "Title > Notes", "Title > Notes"])
        #expect(chunks.map(\.text) == ["Title\n=====\n\nA.", "Notes\n-----\n\nB.", "Notes\n-----\n\nC."])
    }

    @Test func restructuredTextTitles() {
        let text = "=====\nGuide\n=====\n\nIntro.\n\nInstall\n-------\n\nRun it.\n\nLinux\n~~~~~\n\nApt.\n\nUsage\n-------\n\nCall.\n"
        let document = ExtractedText(text: text, encoding: .utf8, kind: .restructuredText, contentHash: "", byteCount: text.utf8.count)
        let chunks = chunker.chunks(of: document)
        #expect(chunks.map(\.section) == ["Guide", "Guide > Install", "Guide > Install > Linux", "Guide > Usage"])
    }

    @Test func smallParagraphsMergeUpToTheTarget() {
        let paragraphs = (1...60).map { "Paragraph number \($0) has a few words in it." }
        let text = paragraphs.joined(separator: "\n\n")
        let chunks = chunker.chunks(of: markdown(text))
        #expect(chunks.count > 1)
        #expect(chunks.count < 20)
        for chunk in chunks {
            #expect(WordPieceEstimate().tokenCount(chunk.text[...]) <= 200)
        }
        #expect(chunks.map(\.text).joined(separator: "\n\n") == text)
    }

    @Test func paragraphsOfFairSizeStayApart() {
        let first = prose(sentences: 6, seed: 3), second = prose(sentences: 6, seed: 4)
        let chunks = chunker.chunks(of: markdown("# Title\n\n" + first + "\n\n" + second))
        // The heading is small and joins the first paragraph; the second is a chunk of its own.
        #expect(chunks.map(\.text) == ["# Title\n\n" + first, second])
        let small = prose(sentences: 3, seed: 3), smaller = prose(sentences: 3, seed: 4)
        let merged = Chunker(minimumTokens: 1000).chunks(of: markdown(small + "\n\n" + smaller))
        #expect(merged.count == 1)
    }

    @Test func longParagraphIsSplitWithinBudgetWithOverlap() {
        let text = prose(sentences: 120)
        let bytes = Array(text.utf8)
        let chunks = chunker.chunks(of: markdown(text))
        #expect(chunks.count > 5)
        for chunk in chunks {
            #expect(WordPieceEstimate().tokenCount(chunk.text[...]) <= 254)
        }
        expectExactSlices(chunks, bytes: bytes) { String(decoding: $0, as: UTF8.self) }
        #expect(chunks.first?.byteStart == 0)
        #expect(chunks.last?.byteEnd == bytes.count)
        for (previous, next) in zip(chunks, chunks.dropFirst()) {
            #expect(next.byteStart < previous.byteEnd, "pieces of a split paragraph overlap")
            #expect(next.byteStart > previous.byteStart)
            let shared = String(decoding: bytes[next.byteStart..<previous.byteEnd], as: UTF8.self)
            #expect(WordPieceEstimate().tokenCount(shared[...]) <= 32)
            #expect(WordPieceEstimate().tokenCount(shared[...]) >= 8)
        }
        // Cut at sentence ends when one is near.
        #expect(chunks.dropLast().filter { $0.text.hasSuffix(".") }.count >= chunks.count / 2)
    }

    @Test func aGiantWordIsCutHard() {
        var state: UInt64 = 7
        let word = String((0..<100_000).map { _ -> Character in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Character(UnicodeScalar(UInt8(ascii: "a") + UInt8((state >> 33) % 26)))
        })
        let text = "Before.\n\n" + word + "\n\nAfter."
        let bytes = Array(text.utf8)
        let chunks = chunker.chunks(of: markdown(text))
        #expect(chunks.count > 10)
        for chunk in chunks {
            #expect(WordPieceEstimate().tokenCount(chunk.text[...]) <= 254)
        }
        expectExactSlices(chunks, bytes: bytes) { String(decoding: $0, as: UTF8.self) }
        #expect(chunks.first?.text == "Before.")
        #expect(chunks.last?.text == "After.")
        let pieces = chunks.dropFirst().dropLast()
        #expect(pieces.first?.byteStart == 9)
        #expect(pieces.last?.byteEnd == 9 + word.utf8.count)
        for (previous, next) in zip(pieces, pieces.dropFirst()) {
            #expect(next.byteStart <= previous.byteEnd)
        }
    }

    @Test func aGiantWordWithoutVowelsCostsACharacterAToken() {
        // Costs 1 per letter whole, but its pieces cost less than that each: sums of pieces fall short.
        let word = String(repeating: "x", count: 100_000)
        let chunks = chunker.chunks(of: markdown(word))
        #expect(chunks.count > 400)
        #expect(chunks.allSatisfy { WordPieceEstimate().tokenCount($0.text[...]) <= 254 })
        #expect(chunks.first?.byteStart == 0)
        #expect(chunks.last?.byteEnd == 100_000)
        #expect(zip(chunks, chunks.dropFirst()).allSatisfy { $1.byteStart <= $0.byteEnd && $1.byteStart > $0.byteStart })
    }

    @Test func offsetsAreExactInALatin1File() {
        let bytes: [UInt8] = Array("# Caf".utf8) + [0xE9] + Array("\n\nCr".utf8) + [0xE8] + Array("me br".utf8) + [0xFB] + Array("l".utf8) + [0xE9] + Array(".\n".utf8)
        let text = bytes.withUnsafeBytes { TextDecoding.decodeLatin1($0) }
        let document = ExtractedText(text: text, encoding: .latin1, kind: .markdown, contentHash: "", byteCount: bytes.count)
        let chunks = chunker.chunks(of: document)
        #expect(chunks.count == 1)
        #expect(chunks.first?.section == "Caf\u{e9}")
        expectExactSlices(chunks, bytes: bytes) { String($0.map { Character(UnicodeScalar($0)) }) }
        #expect(chunks.first?.byteEnd == bytes.count - 1)
    }

    @Test func offsetsAreExactInAUTF16FileAndAcrossSplits() throws {
        let text = "# \u{30BF}\u{30A4}\u{30C8}\u{30EB}\n\n" + prose(sentences: 40) + " \u{1F600} end.\n"
        let units = Array(text.utf16)
        let bytes: [UInt8] = [0xFF, 0xFE] + units.flatMap { unit -> [UInt8] in [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let tree = try TemporaryTree()
        let document = try TextExtractor().extract(path: tree.write("u16.md", bytes: bytes))
        let chunks = chunker.chunks(of: document)
        #expect(chunks.count > 2)
        expectExactSlices(chunks, bytes: bytes) { slice in
            String(decoding: stride(from: 0, to: slice.count - 1, by: 2).map { UInt16(slice[$0]) | UInt16(slice[$0 + 1]) << 8 }, as: UTF16.self)
        }
        #expect(chunks.allSatisfy { $0.section == "\u{30BF}\u{30A4}\u{30C8}\u{30EB}" })
    }

    @Test func crlfFilesKeepTheirLineEndingsInsideChunks() {
        let text = "First line\r\nsecond line\r\n\r\n\r\nThird paragraph\r\n"
        let document = ExtractedText(text: text, encoding: .utf8, kind: .plainText, contentHash: "", byteCount: text.utf8.count)
        let chunks = Chunker(targetTokens: 4).chunks(of: document)
        #expect(chunks.map(\.text) == ["First line\r\nsecond line", "Third paragraph"])
        #expect(chunks.map(\.lineStart) == [1, 5])
        #expect(chunks.map(\.lineEnd) == [2, 5])
        expectExactSlices(chunks, bytes: Array(text.utf8)) { String(decoding: $0, as: UTF8.self) }
    }

    @Test func whitespaceOnlyDocumentsHaveNoChunks() {
        #expect(chunker.chunks(of: markdown("")).isEmpty)
        #expect(chunker.chunks(of: markdown(" \n\t\r\n\n   ")).isEmpty)
    }

    @Test func leadingIndentationIsKeptAndBlankLinesTrimmed() {
        let chunks = chunker.chunks(of: markdown("\n\n    indented code\n    more\n\n\n"))
        #expect(chunks.map(\.text) == ["    indented code\n    more"])
        #expect(chunks.first?.lineStart == 3)
        #expect(chunks.first?.lineEnd == 4)
    }

    /// The encoder sees each chunk after its heading path (PassageContext); the two together fit the
    /// window, so no text is cut off the end of a long chunk's vector.
    @Test func aChunkFitsTheWindowWithTheHeadingPathItIsEmbeddedWith() throws {
        let heading = "# Residential lease agreement between the landlord and the tenants of the flat\n\n"
            + "## Termination, notice periods and the return of the security deposit\n\n"
        let text = heading + prose(sentences: 120)
        let counter = WordPieceEstimate()
        let chunks = chunker.chunks(of: markdown(text))
        #expect(chunks.count > 5)
        var longest = 0
        for chunk in chunks {
            let passage = PassageContext.text(chunk.text, section: chunk.section)
            #expect(counter.tokenCount(passage[...]) <= 254, "\(chunk.ordinal): \(counter.tokenCount(passage[...])) tokens")
            longest = max(longest, counter.tokenCount(chunk.text[...]))
        }
        let section = try #require(chunks.last?.section)
        let headingCost = counter.tokenCount(PassageContext.text("", section: section)[...])
        #expect(headingCost > 10)
        // Pieces still fill what the window leaves them.
        #expect(longest > (254 - headingCost) * 3 / 4)
        expectExactSlices(chunks, bytes: Array(text.utf8)) { String(decoding: $0, as: UTF8.self) }
    }

    @Test func aHeadingPathOverHalfTheWindowLeavesTheTextHalf() {
        let chunker = Chunker(maxTokens: 64, targetTokens: 50, overlapTokens: 8)
        #expect(chunker.textBudget(section: []) == 62)
        #expect(chunker.textBudget(section: ["Lease", "Term"]) == 62 - WordPieceEstimate().tokenCount("Lease > Term"))
        let long = [String(repeating: "word ", count: 100)]
        #expect(chunker.textBudget(section: long) == 31)
    }

    /// Counts characters including spaces: not additive across whitespace, so the chunker's final check
    /// has to do the work.
    struct CharacterCount: TokenCounting {
        func tokenCount(_ text: Substring) -> Int { text.unicodeScalars.count }
    }

    @Test func theBudgetHoldsForAnyCounter() {
        let text = prose(sentences: 30)
        let chunks = Chunker(maxTokens: 64, targetTokens: 60, overlapTokens: 8, counter: CharacterCount()).chunks(of: markdown(text))
        #expect(chunks.count > 10)
        for chunk in chunks {
            #expect(chunk.text.unicodeScalars.count <= 62)
        }
        expectExactSlices(chunks, bytes: Array(text.utf8)) { String(decoding: $0, as: UTF8.self) }
    }

    @Test func cjkTextIsCutAtSentenceEnds() {
        let sentence = String(repeating: "\u{6587}", count: 40) + "\u{3002}"
        let text = String(repeating: sentence, count: 20)
        let chunks = chunker.chunks(of: markdown(text))
        #expect(chunks.count > 3)
        for chunk in chunks {
            #expect(WordPieceEstimate().tokenCount(chunk.text[...]) <= 254)
        }
        #expect(chunks.dropLast().allSatisfy { $0.text.hasSuffix("\u{3002}") })
    }

    /// Issue 21, finding 6: a tokenizer that counts a long run without spaces as one token (WordPiece's
    /// [UNK]) cannot make a chunk longer than the byte cap.
    @Test func aLongRunWithoutSpacesIsCutAtTheByteCap() {
        struct OneToken: TokenCounting {
            func tokenCount(_ text: Substring) -> Int { text.split(whereSeparator: \.isWhitespace).count }
        }
        let chunker = Chunker(counter: OneToken())
        let text = String(repeating: "a", count: 2_000_000) + " zebra\n"
        let chunks = chunker.chunks(of: markdown(text))
        #expect(chunks.count >= 2_000_000 / chunker.maxBytes)
        #expect(chunks.allSatisfy { $0.text.utf8.count <= chunker.maxBytes }, "longest: \(chunks.map(\.text.utf8.count).max() ?? 0)")
        #expect(chunks.map(\.text).joined().replacingOccurrences(of: " ", with: "") == String(repeating: "a", count: 2_000_000) + "zebra")
        expectExactSlices(chunks, bytes: Array(text.utf8)) { String(decoding: $0, as: UTF8.self) }
    }

    /// An extracted document: `# Title`, then one paragraph per part.
    func extracted(_ pieces: [(text: String, page: Int?, label: String?)]) -> ExtractedText {
        var text = "# Report\n\n"
        var parts: [DocumentPart] = []
        for piece in pieces {
            let start = text.utf8.count
            text += piece.text
            parts.append(DocumentPart(start: start, end: text.utf8.count, page: piece.page, label: piece.label))
            text += "\n\n"
        }
        var document = ExtractedText(text: text, encoding: .utf8, kind: .markdown, contentHash: "", byteCount: text.utf8.count)
        document.parts = parts
        document.isExtracted = true
        return document
    }

    @Test func aChunkStartingOnPageTwoSaysPageTwo() {
        // The lease PDF of examples/home as poppler reads it: a short first page, the Term on page 2.
        let document = extracted([
            ("12 Garden Row - Residential Lease\nThis lease is made between Anna Kowalska and Ben Okafor.\nPage 1 of 3", 1, nil),
            ("Term\nThe lease begins on 1 April 2025 and ends on 31 March 2027.", 2, nil),
            ("Notice\nEither party may end the lease with three months' written notice.", 3, nil),
        ])
        let chunks = chunker.chunks(of: document)
        let term = chunks.first { $0.text.contains("31 March 2027") }
        // Short pages are not merged into one chunk: the fact is cited at its own page, not at the
        // first page of a range (the link #page=1 would open the wrong page).
        #expect(term?.page == 2)
        #expect(term?.pageEnd == nil)
        #expect(term?.text.contains("Anna") == false)
        #expect(chunks.first { $0.text.contains("Anna") }?.page == 1)
        #expect(chunks.first { $0.text.contains("Either party") }?.page == 3)
        for chunk in chunks {
            #expect(Chunker.substring(document.text, chunk.byteStart, chunk.byteEnd) == Substring(chunk.text))
        }
    }

    @Test func aParagraphAcrossTwoPagesKnowsItsFirstAndLastPage() {
        // One block whose second line is on page 2 (a paragraph continued on the next page).
        let text = "# Report\n\nThe tenant shall pay\nthe rent monthly.\n"
        let pageBreak = "# Report\n\nThe tenant shall pay\n".utf8.count
        var document = ExtractedText(text: text, encoding: .utf8, kind: .markdown, contentHash: "", byteCount: text.utf8.count)
        document.parts = [
            DocumentPart(start: "# Report\n\n".utf8.count, end: pageBreak - 1, page: 1),
            DocumentPart(start: pageBreak, end: text.utf8.count - 1, page: 2),
        ]
        document.isExtracted = true
        let chunk = chunker.chunks(of: document).first { $0.text.contains("rent") }
        #expect(chunk?.page == 1)
        #expect(chunk?.pageEnd == 2)
    }

    @Test func aChunkOnOnePageHasNoPageEnd() {
        let long = prose(sentences: 12)
        let chunks = chunker.chunks(of: extracted([(long, 3, nil), (long, 4, nil)]))
        #expect(chunks.contains { $0.page == 3 && $0.pageEnd == nil })
        #expect(chunks.contains { $0.page == 4 && $0.pageEnd == nil })
    }

    @Test func partsWithDifferentLabelsNeverShareAChunk() {
        let chunks = chunker.chunks(of: extracted([
            ("Month: March, Amount: 1,240", nil, "Sheet \"March\""), ("Month: April, Amount: 980", nil, "Sheet \"April\""),
        ]))
        let march = chunks.first { $0.text.contains("March") }
        let april = chunks.first { $0.text.contains("April") }
        #expect(march?.part == "Sheet \"March\"")
        #expect(april?.part == "Sheet \"April\"")
        #expect(march?.text.contains("April") == false)
    }

    @Test func ocrIsFlagged() {
        var document = extracted([("Scanned text of the receipt.", 1, nil)])
        document.parts[0].isOCR = true
        #expect(chunker.chunks(of: document).contains { $0.isOCR })
    }
}
