import Testing
@testable import Extract

@Suite struct MailExtractorTests {
    @Test func messageWithHeadersBodyAndAttachedPDF() throws {
        let document = try Extraction.extract(Fixtures.bytes("lease-renewal.eml"), format: .eml, fileName: "lease-renewal.eml")
        let body = try #require(document.parts.first)
        #expect(body.label == "\"Lease renewal\"")
        #expect(body.page == nil)
        let message = document.text(of: body)
        #expect(message.hasPrefix("# Lease renewal\n\nFrom: Anna Kowalska <anna@example.org>\nTo: Ben Okafor <ben@example.org>\nDate: "))
        #expect(message.contains("It now runs until 31 March 2027."))
        // text/plain preferred over the HTML alternative.
        #expect(!document.text.contains("<p>"))
        #expect(document.text.components(separatedBy: "the renewed lease is attached").count == 2)
        // The attached PDF: its pages, labelled with the message and the file.
        let term = try #require(document.part(containing: "The lease begins on 1 April 2025"))
        #expect(term.label == "\"Lease renewal\" › lease.pdf")
        #expect(term.page == 2)
        #expect(document.partsAreWellFormed)
    }

    @Test func mboxMessagesArePartsWithEncodedHeadersAndCharsets() throws {
        let document = try Extraction.extract(Fixtures.bytes("inbox.mbox"), format: .mbox, fileName: "inbox.mbox")
        #expect(document.pageCount == 2)
        let labels = document.parts.map(\.label)
        #expect(labels.first == "\"Lease renewal\"")
        #expect(labels.contains("\"Kaucja za mieszkanie\""))
        let second = try #require(document.part(containing: "Kaucja wynosi"))
        let text = document.text(of: second)
        #expect(text.contains("From: Paweł Nowak <pawel@example.org>"))
        // The no-break space is a space in the text, as every other whitespace run.
        #expect(text.contains("Kaucja wynosi 2 480 zł."))
        // An mboxrd-quoted ">From" in the body is unquoted.
        #expect(text.contains("From now on, the deposit is held in Kraków."))
        #expect(document.part(containing: "ends on 31 March 2027")?.label == "\"Lease renewal\" › lease.pdf")
    }

    @Test func encodedWordsAndParameters() {
        #expect(EncodedWords.decode("=?utf-8?q?caf=C3=A9?= =?utf-8?b?w6k=?= and =?iso-8859-1?Q?a_b?=") == "caféé and a b")
        #expect(EncodedWords.decode("=?bogus") == "=?bogus")
        #expect(MIMEPart.parameter("filename", in: "attachment; filename*=utf-8''Umowa%20najmu%20%C5%82.pdf") == "Umowa najmu ł.pdf")
        #expect(MIMEPart.parameter("name", in: "application/pdf; name=\"a; b.pdf\"") == "a; b.pdf")
    }

    @Test func htmlOnlyMessageAndUnreadableAttachment() throws {
        let message = """
            From: a@example.org\r
            Subject: Invoice\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="b1"\r
            \r
            --b1\r
            Content-Type: text/html; charset=windows-1252\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            <p>Total =80 1,240 due =\r
            in March</p><div style=3D"display:none">hidden</div>\r
            --b1\r
            Content-Type: image/png; name="scan.png"\r
            Content-Transfer-Encoding: base64\r
            \r
            iVBORw0KGgo=\r
            --b1--\r
            """
        let document = try extract(message, .eml)
        #expect(document.text.contains("Total € 1,240 due in March"))
        #expect(!document.text.contains("hidden"))
        // Images are read by OCR only, which this extraction has not (OCRTests: an attached scan with it).
        #expect(document.problems == ["attachment scan.png: scan.png is an image (PNG); images are read only by OCR, which is off"])
    }

    @Test func deepMIMENestingIsRefused() throws {
        var message = "Subject: deep\nContent-Type: multipart/mixed; boundary=\"b0\"\n\n"
        for level in 0..<40 { message += "--b\(level)\nContent-Type: multipart/mixed; boundary=\"b\(level + 1)\"\n\n" }
        message += "--b40\nContent-Type: text/plain\n\ninnermost\n"
        #expect(throws: ExtractionFailure.self) {
            try extract(message, .eml, limits: ExtractionLimits(maxNestingDepth: 16))
        }
        #expect(try extract(message, .eml).text.contains("innermost"))
    }
}
